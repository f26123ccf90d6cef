"""What a person does from the debtor page. Each view parses its form, calls a service, and goes
back to the page (POST/redirect/GET); a refused form comes back on the page with its errors next to
the fields and what was typed (status 400). Agents record calls, notes, promises and disputes and
send a one-off message (identity and contacts: views/debtor_contacts.py); managers pause, resume,
change the scenario and the collector in charge.

A second click changes nothing: the services leave what is already done alone (pause, scenario,
collector, one-off message), a one-time form token guards notes and calls, and an identical promise
made today is not made again (checked with the debtor row locked)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from recouvre.arrangements.domain.services import PromiseError, promise_add
from recouvre.arrangements.enums import PromiseStatus
from recouvre.arrangements.models import Promise
from recouvre.backoffice.views.access import AGENT, MANAGER, paris_today, role_required
from recouvre.backoffice.views.debtor_forms import (
    AgentForm,
    CallForm,
    DisputeForm,
    MessageForm,
    NoteForm,
    PauseForm,
    PromiseForm,
    ScenarioForm,
    dispute_refusal,
    put_call_refusal,
)
from recouvre.backoffice.views.debtors import debtor_page, open_invoices
from recouvre.disputes.domain.services import DisputeError, dispute_open
from recouvre.dunning.domain.actions import ActionError, task_complete
from recouvre.dunning.domain.oneoff import OneOffError, message_oneoff_plan
from recouvre.dunning.domain.scenarios import scenario_assign
from recouvre.dunning.enums import ActionStatus, CallOutcome
from recouvre.dunning.enums import Channel as ActionChannel
from recouvre.dunning.models import Action
from recouvre.ledger.domain.debtors import debtor_assign_agent, debtor_pause, debtor_resume
from recouvre.ledger.domain.services import LedgerError
from recouvre.ledger.models import Debtor
from recouvre.timeline.domain.notes import NoteError, call_record, event_with_token, note_add
from recouvre.timeline.enums import EventKind

# A call task completed this recently, by the same person with the same outcome, is the first click.
DOUBLE_CLICK = timedelta(minutes=10)


def debtor_or_404(pk: int) -> Debtor:
    # Inside the organisation's scope: another organisation's debtor is a plain 404.
    return get_object_or_404(Debtor.objects.select_related("agent"), pk=pk)


def back_to(debtor: Debtor, anchor: str) -> HttpResponse:
    return redirect(reverse("backoffice:debtor-detail", args=[debtor.pk]) + f"#{anchor}")


def _lock(debtor: Debtor) -> None:
    Debtor.objects.select_for_update().filter(pk=debtor.pk).values_list("pk", flat=True).first()


def refused_page(request: HttpRequest, debtor: Debtor, name: str, form: forms.Form) -> HttpResponse:
    return debtor_page(request, debtor, {name: form}, status=400)


@role_required(AGENT)
@require_POST
def debtor_note(request: HttpRequest, pk: int) -> HttpResponse:
    debtor = debtor_or_404(pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            note_add(
                organisation=request.organisation,  # type: ignore[attr-defined]
                debtor=debtor,
                text=form.cleaned_data["text"],
                actor=request.user,
                token=form.cleaned_data["token"],
            )
        except NoteError as exc:
            form.add_error("text", str(exc))
        else:
            messages.success(request, _("Note ajoutée."))
            return back_to(debtor, "timeline-title")
    return refused_page(request, debtor, "note", form)


def _same_promise(debtor: Debtor, amount: Any, promised_date: Any, today: Any) -> bool:
    return Promise.objects.filter(
        debtor=debtor, status=PromiseStatus.OPEN, amount=amount, promised_date=promised_date, made_on=today
    ).exists()


def _promise(request: HttpRequest, debtor: Debtor, amount: Any, day: Any, note: str) -> None:
    today = paris_today()
    if _same_promise(debtor, amount, day, today):
        return
    promise_add(
        organisation=request.organisation,  # type: ignore[attr-defined]
        debtor=debtor,
        amount=amount,
        promised_date=day,
        made_on=today,
        actor=request.user,
        note=note,
    )


@role_required(AGENT)
@require_POST
def debtor_promise(request: HttpRequest, pk: int) -> HttpResponse:
    debtor = debtor_or_404(pk)
    form = PromiseForm(request.POST, today=paris_today())
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                _lock(debtor)
                _promise(request, debtor, data["amount"], data["promised_date"], data["note"].strip())
        except PromiseError as exc:
            form.add_error("amount" if "amount" in str(exc) else "promised_date", str(exc))
        else:
            messages.success(request, _("Promesse de paiement enregistrée."))
            return back_to(debtor, "outlook-title")
    return refused_page(request, debtor, "promise", form)


@role_required(AGENT)
@require_POST
def debtor_dispute(request: HttpRequest, pk: int) -> HttpResponse:
    debtor = debtor_or_404(pk)
    form = DisputeForm(request.POST, invoices=open_invoices(debtor))
    if form.is_valid():
        data = form.cleaned_data
        try:
            dispute_open(
                organisation=request.organisation,  # type: ignore[attr-defined]
                invoice=data["invoice"],
                reason=data["reason"],
                on=paris_today(),
                actor=request.user,
                comment=data["comment"].strip(),
            )
        except DisputeError as exc:
            form.add_error("invoice", dispute_refusal(exc))
        else:
            messages.success(request, _("Litige ouvert sur %(number)s.") % {"number": data["invoice"].number})
            return back_to(debtor, "open-title")
    return refused_page(request, debtor, "dispute", form)


def _recent_same_call(debtor: Debtor, actor: Any, outcome: str, note: str) -> bool:
    return Action.objects.filter(
        debtor=debtor,
        channel=ActionChannel.CALL,
        status=ActionStatus.DONE,
        completed_by=actor,
        outcome=outcome,
        outcome_note=note,
        completed_at__gte=timezone.now() - DOUBLE_CLICK,
    ).exists()


def _call(request: HttpRequest, debtor: Debtor, form: CallForm) -> None:
    """The outcome closes the open call task if there is one (as from the call list), else it is
    recorded as a call of its own; its promise or dispute goes in the same transaction."""
    data = form.cleaned_data
    outcome, note, token = data["outcome"], data["note"].strip(), data["token"]
    organisation = request.organisation  # type: ignore[attr-defined]
    today = paris_today()
    with transaction.atomic():
        _lock(debtor)
        if event_with_token(debtor.pk, EventKind.CALL_RECORDED, token) or _recent_same_call(
            debtor, request.user, outcome, note
        ):
            return
        task = (
            Action.objects.filter(
                debtor=debtor,
                channel=ActionChannel.CALL,
                status=ActionStatus.PLANNED,
                scheduled_for__lte=today,
            )
            .order_by("scheduled_for", "id")
            .first()
        )
        if outcome == CallOutcome.PROMISE:
            _promise(request, debtor, data["promise_amount"], data["promise_date"], note)
        elif outcome == CallOutcome.DISPUTE:
            dispute_open(
                organisation=organisation,
                invoice=data["dispute_invoice"],
                reason=data["dispute_reason"],
                on=today,
                actor=request.user,
                comment=note,
            )
        if task is not None:
            task_complete(
                organisation=organisation,
                action_id=task.pk,
                outcome=outcome,
                actor=request.user,
                note=note,
                on=today,
            )
        else:
            call_record(
                organisation=organisation,
                debtor=debtor,
                outcome=outcome,
                outcome_label=str(CallOutcome(outcome).label),
                note=note,
                actor=request.user,
                token=token,
            )


@role_required(AGENT)
@require_POST
def debtor_call(request: HttpRequest, pk: int) -> HttpResponse:
    debtor = debtor_or_404(pk)
    today = paris_today()
    form = CallForm(request.POST, invoices=open_invoices(debtor), today=today)
    if form.is_valid():
        try:
            _call(request, debtor, form)
        except (PromiseError, DisputeError) as exc:
            put_call_refusal(form, exc)
        except ActionError:
            form.add_error(None, _("La tâche d'appel a changé entre-temps : réessayez."))
        else:
            label = CallOutcome(form.cleaned_data["outcome"]).label
            messages.success(request, _("Appel enregistré : %(outcome)s.") % {"outcome": label})
            return back_to(debtor, "timeline-title")
    return refused_page(request, debtor, "call", form)


@role_required(MANAGER)
@require_POST
def debtor_pause_view(request: HttpRequest, pk: int) -> HttpResponse:
    debtor = debtor_or_404(pk)
    today = paris_today()
    form = PauseForm(request.POST, today=today)
    if form.is_valid():
        try:
            paused = debtor_pause(
                organisation=request.organisation,  # type: ignore[attr-defined]
                debtors=[debtor],
                until=form.cleaned_data["until"],
                reason=form.cleaned_data["reason"],
                today=today,
                actor=request.user,
            )
        except LedgerError as exc:
            form.add_error("until", str(exc))
        else:
            if paused:
                messages.success(request, _("Relances suspendues."))
            else:
                messages.info(request, _("Aucune facture ouverte à suspendre, ou déjà suspendue."))
            return back_to(debtor, "outlook-title")
    return refused_page(request, debtor, "pause", form)


@role_required(MANAGER)
@require_POST
def debtor_resume_view(request: HttpRequest, pk: int) -> HttpResponse:
    debtor = debtor_or_404(pk)
    resumed = debtor_resume(
        organisation=request.organisation,  # type: ignore[attr-defined]
        debtors=[debtor],
        today=paris_today(),
        actor=request.user,
    )
    if resumed:
        messages.success(request, _("Relances reprises."))
    return back_to(debtor, "outlook-title")


@role_required(MANAGER)
@require_POST
def debtor_scenario_view(request: HttpRequest, pk: int) -> HttpResponse:
    debtor = debtor_or_404(pk)
    form = ScenarioForm(request.POST)
    if form.is_valid():
        scenario_assign(
            organisation=request.organisation,  # type: ignore[attr-defined]
            debtors=[debtor],
            scenario=form.cleaned_data["scenario"],
            actor=request.user,
        )
        messages.success(request, _("Scénario enregistré."))
        return back_to(debtor, "outlook-title")
    return refused_page(request, debtor, "scenario", form)


@role_required(MANAGER)
@require_POST
def debtor_agent_view(request: HttpRequest, pk: int) -> HttpResponse:
    debtor = debtor_or_404(pk)
    organisation = request.organisation  # type: ignore[attr-defined]
    form = AgentForm(request.POST, organisation=organisation)
    if form.is_valid():
        try:
            debtor_assign_agent(
                organisation=organisation,
                debtors=[debtor],
                agent=form.cleaned_data["agent"],
                actor=request.user,
            )
        except LedgerError as exc:
            form.add_error("agent", str(exc))
        else:
            messages.success(request, _("Chargé de recouvrement enregistré."))
            return back_to(debtor, "outlook-title")
    return refused_page(request, debtor, "agent", form)


@role_required(AGENT)
@require_POST
def debtor_message(request: HttpRequest, pk: int) -> HttpResponse:
    debtor = debtor_or_404(pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            _action, created = message_oneoff_plan(
                organisation=request.organisation,  # type: ignore[attr-defined]
                debtor=debtor,
                key=form.cleaned_data["message"],
                today=paris_today(),
                actor=request.user,
            )
        except OneOffError as exc:
            form.add_error("message", str(exc))
        else:
            if created:
                messages.success(request, _("Message programmé : il part au prochain envoi."))
            else:
                messages.info(request, _("Ce message est déjà programmé aujourd'hui."))
            return back_to(debtor, "timeline-title")
    return refused_page(request, debtor, "message", form)


urls: list[URLPattern] = [
    path("debtors/<int:pk>/note/", debtor_note, name="debtor-note"),
    path("debtors/<int:pk>/call/", debtor_call, name="debtor-call"),
    path("debtors/<int:pk>/promise/", debtor_promise, name="debtor-promise"),
    path("debtors/<int:pk>/dispute/", debtor_dispute, name="debtor-dispute"),
    path("debtors/<int:pk>/pause/", debtor_pause_view, name="debtor-pause"),
    path("debtors/<int:pk>/resume/", debtor_resume_view, name="debtor-resume"),
    path("debtors/<int:pk>/scenario/", debtor_scenario_view, name="debtor-scenario"),
    path("debtors/<int:pk>/agent/", debtor_agent_view, name="debtor-agent"),
    path("debtors/<int:pk>/message/", debtor_message, name="debtor-message"),
]
