"""The call list: the tasks the dunning engine gives people (calls, reviews, finding a contact), and
one task's page with the debtor's phones, open invoices, recent history, the call script and the
outcome form. Completing a task takes an agent; its promise or dispute is recorded in the same
transaction, so that a refused detail leaves nothing half-written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recouvre.arrangements.domain.services import PromiseError, promise_add
from recouvre.backoffice.views.access import (
    AGENT,
    forbidden,
    membership_required,
    paris_today,
    rights,
    through_web,
)
from recouvre.backoffice.views.action_parts import TASK_CHANNELS, audit_view, decorate
from recouvre.backoffice.views.debtor_forms import check_call_outcome, put_call_refusal
from recouvre.backoffice.views.debtors import open_invoice_rows, open_invoices
from recouvre.disputes.domain.services import DisputeError, dispute_open
from recouvre.disputes.enums import DisputeReason
from recouvre.dunning.domain.actions import ActionError, task_complete
from recouvre.dunning.domain.compose import compose_message
from recouvre.dunning.domain.facts import withheld_invoice_ids
from recouvre.dunning.enums import ActionStatus, CallOutcome
from recouvre.dunning.models import Action
from recouvre.ledger.enums import ContactKind
from recouvre.ledger.models import Invoice
from recouvre.messaging.domain.template_defaults import CHANNELS as TEMPLATE_CHANNELS
from recouvre.tenancy.domain.services import role_allows
from recouvre.timeline.models import Event

PAGE_SIZE = 50
TIMELINE_LIMIT = 10
CLOSED_TASK = gettext_lazy("Cette tâche n'est plus ouverte : quelqu'un l'a terminée ou annulée entre-temps.")


def _open_tasks(today: date) -> Any:
    return (
        Action.objects.filter(
            channel__in=TASK_CHANNELS, status=ActionStatus.PLANNED, scheduled_for__lte=today
        )
        .select_related("debtor")
        .order_by("scheduled_for", "id")
    )


@membership_required
def task_list(request: HttpRequest) -> HttpResponse:
    today = paris_today()
    page = Paginator(_open_tasks(today), PAGE_SIZE).get_page(request.GET.get("page"))
    for action in page:
        decorate(action)
        action.days_late = (today - action.scheduled_for).days  # type: ignore[attr-defined]
    upcoming = Action.objects.filter(
        channel__in=TASK_CHANNELS, status=ActionStatus.PLANNED, scheduled_for__gt=today
    ).count()
    context = {"page": page, "today": today, "upcoming": upcoming}
    return render(request, "backoffice/actions/task_list.html", context)


# --- One task -----------------------------------------------------------------------------------------


class DecimalAmountField(forms.DecimalField):
    """Accepts what a French user types: `1 234,56`, `1234.56`, with or without `€`."""

    def to_python(self, value: Any) -> Decimal | None:
        if isinstance(value, str):
            value = value.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace("€", "")
            value = value.replace(",", ".")
        return super().to_python(value)


class TaskOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Issue"), choices=CallOutcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    promise_amount = DecimalAmountField(
        label=gettext_lazy("Montant promis"),
        required=False,
        max_digits=14,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    promise_date = forms.DateField(
        label=gettext_lazy("Date promise"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    dispute_invoice = forms.ModelChoiceField(
        label=gettext_lazy("Facture contestée"), required=False, queryset=None
    )
    dispute_reason = forms.ChoiceField(
        label=gettext_lazy("Motif du litige"),
        required=False,
        choices=[("", "—"), *DisputeReason.choices],
    )

    def __init__(self, *args: Any, invoices: list[Invoice], today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        field = self.fields["dispute_invoice"]
        ids = [invoice.pk for invoice in invoices]
        field.queryset = Invoice.objects.filter(pk__in=ids).order_by("due_date", "number")  # type: ignore[attr-defined]
        field.label_from_instance = lambda invoice: invoice.number  # type: ignore[attr-defined]
        field.empty_label = "—"  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        check_call_outcome(self, data, self.today)
        return data


@dataclass(frozen=True)
class Script:
    title: str = ""
    text: str = ""
    error: str = ""


def call_script(action: Action, organisation: Any, invoices: list[Invoice], today: date) -> Script | None:
    """The step's text (the call script, the litigation checklist); None for a task that has no text
    of its own (a fallback task to find a contact: its reason says what to do)."""
    if TEMPLATE_CHANNELS.get(action.step) not in TASK_CHANNELS:
        return None
    withheld = withheld_invoice_ids(today)
    listed = [i for i in invoices if i.due_date < today and i.pk not in withheld]
    try:
        composed = compose_message(action, action.debtor, organisation, listed, today)
    except (LookupError, ValueError) as exc:  # PlaceholderError, NoVariant, an unknown code
        return Script(error=f"{type(exc).__name__}: {exc}")
    return Script(title=composed.subject, text=composed.body_text)


def _complete(request: HttpRequest, action: Action, form: TaskOutcomeForm, today: date) -> bool:
    """Records the outcome and what it brings (a promise, a dispute), all or nothing. False with the
    errors on the form when something is refused."""
    data = form.cleaned_data
    outcome, note = data["outcome"], data["note"].strip()
    organisation = request.organisation  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            if outcome == CallOutcome.PROMISE:
                promise_add(
                    organisation=organisation,
                    debtor=action.debtor,
                    amount=data["promise_amount"],
                    promised_date=data["promise_date"],
                    made_on=today,
                    actor=request.user,
                    note=note,
                )
            elif outcome == CallOutcome.DISPUTE:
                dispute_open(
                    organisation=organisation,
                    invoice=data["dispute_invoice"],
                    reason=data["dispute_reason"],
                    on=today,
                    actor=request.user,
                    comment=note,
                )
            task_complete(
                organisation=organisation,
                action_id=action.pk,
                outcome=outcome,
                actor=request.user,
                note=note,
                on=today,
            )
    except (PromiseError, DisputeError) as exc:
        put_call_refusal(form, exc)
        return False
    except ActionError:
        form.add_error(None, CLOSED_TASK)
        return False
    return True


def task_of(pk: int) -> Action:
    """A call or task of the organisation; anything else (a message, another organisation's) is a 404."""
    action = get_object_or_404(Action.objects.select_related("debtor", "completed_by"), pk=pk)
    if action.channel not in TASK_CHANNELS:
        raise Http404
    return action


def outcome_form(request: HttpRequest, action: Action, today: date) -> TaskOutcomeForm:
    invoices = open_invoices(action.debtor)
    return TaskOutcomeForm(request.POST or None, invoices=invoices, today=today)


def outcome_saved(request: HttpRequest, action: Action, form: TaskOutcomeForm, today: date) -> bool:
    """Validates and records the outcome posted (the caller checked the role); the errors stay on the
    form when refused. A task closed meanwhile (a second click, a colleague) is refused, not redone."""
    if form.is_valid() and action.status != ActionStatus.PLANNED:
        form.add_error(None, CLOSED_TASK)
    if not (form.is_valid() and _complete(request, action, form, today)):
        return False
    label = CallOutcome(form.cleaned_data["outcome"]).label
    messages.success(
        request,
        _("Tâche terminée pour %(debtor)s : %(outcome)s.") % {"debtor": action.debtor.name, "outcome": label},
    )
    return True


def task_context(request: HttpRequest, action: Action, form: TaskOutcomeForm, today: date) -> dict[str, Any]:
    """What the task page and the worklist's call screen show (the view is audited here)."""
    debtor = action.debtor
    invoices = open_invoices(debtor)
    decorate(action)
    contacts = list(debtor.contacts.all().order_by("kind", "id"))
    audit_view(request, action)
    return {
        "action": action,
        "debtor": debtor,
        "today": today,
        "form": form,
        "phones": [c for c in contacts if c.kind == ContactKind.PHONE],
        "emails": [c for c in contacts if c.kind == ContactKind.EMAIL],
        "invoice_rows": open_invoice_rows(invoices, today),
        "events": list(
            Event.objects.filter(debtor=debtor).select_related("actor", "invoice")[:TIMELINE_LIMIT]
        ),
        "script": call_script(action, request.organisation, invoices, today),  # type: ignore[attr-defined]
        "is_open": action.status == ActionStatus.PLANNED,
        **rights(request),
    }


@membership_required
@through_web
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    today = paris_today()
    action = task_of(pk)
    form = outcome_form(request, action, today)
    status = 200
    if request.method == "POST":
        if not role_allows(request.role, AGENT):  # type: ignore[attr-defined]
            return forbidden(request, AGENT)
        if outcome_saved(request, action, form, today):
            return redirect("backoffice:task-list")
        status = 400
    context = task_context(request, action, form, today)
    return render(request, "backoffice/actions/task_detail.html", context, status=status)
