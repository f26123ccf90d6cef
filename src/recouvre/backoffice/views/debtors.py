"""The debtor page: identity and contacts, open invoices with their ages, payments, where the debtor
stands in its scenario, the timeline, and the forms of the actions (posted to views/debtor_actions.py,
which renders this page again with a refused form's errors).

Everything is read for one debtor through indexed per-debtor queries, bounded where a debtor's
history can grow for years (closed invoices, payments, events)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from recouvre.arrangements.enums import PromiseStatus
from recouvre.arrangements.models import Promise
from recouvre.backoffice.listing import bucket_rows
from recouvre.backoffice.views.access import MANAGER, audit_look, membership_required, paris_today, rights
from recouvre.backoffice.views.actions import step_label
from recouvre.backoffice.views.debtor_arrangements import debtor_arrangements
from recouvre.backoffice.views.debtor_forms import (
    AgentForm,
    CallForm,
    ContactAddForm,
    ContactEditForm,
    DisputeForm,
    IdentityForm,
    MessageForm,
    NoteForm,
    PauseForm,
    PromiseForm,
    ScenarioForm,
)
from recouvre.dunning.domain.compose import debtor_profile
from recouvre.dunning.domain.facts import withheld_invoice_ids
from recouvre.dunning.domain.outlook import Outlook, OutlookFacts, StepTaken, debtor_outlook
from recouvre.dunning.domain.scenario import B2B_STANDARD, ScenarioSpec, ladder_for
from recouvre.dunning.domain.scenarios import scenario_spec
from recouvre.dunning.enums import ActionStatus, CallOutcome, CaseStatus
from recouvre.dunning.enums import Channel as ActionChannel
from recouvre.dunning.models import Action, Case, Scenario, ScenarioAssignment, ScenarioStep
from recouvre.law.domain.penalties import Penalties
from recouvre.ledger.domain.ageing import days_overdue
from recouvre.ledger.domain.debtors import debtor_pause_states
from recouvre.ledger.domain.penalties import invoices_penalties
from recouvre.ledger.domain.queries import aged_balance, invoices_as_of, unallocated_credit
from recouvre.ledger.enums import DocumentType, InvoiceStatus
from recouvre.ledger.models import Allocation, Debtor, Invoice
from recouvre.tenancy.domain.services import role_allows
from recouvre.timeline.enums import EventKind
from recouvre.timeline.models import Event

# A debtor's history can run to thousands of events over years; the page shows the recent ones.
TIMELINE_LIMIT = 200
CLOSED_LIMIT = 100
PAYMENT_LIMIT = 100

STATUS_LABELS = {**dict(InvoiceStatus.choices), "not_issued": _("Non émise")}


@dataclass(frozen=True)
class OpenInvoiceRow:
    invoice: Invoice
    open_amount: Decimal
    status: str
    status_label: str
    disputed: bool
    prescription_date: date | None
    days_late: int
    # Late-payment penalties as of today (law.domain.penalties); None where not computed (short lists).
    penalties: Penalties | None = None


def open_invoice_rows(
    invoices: list[Invoice], today: date, penalties: dict[int, Penalties] | None = None
) -> list[OpenInvoiceRow]:
    # One truth for "as of today" (future-dated allocations, disputes, limitation): the ledger's.
    states = invoices_as_of(invoices, today)
    return [
        OpenInvoiceRow(
            invoice=invoice,
            open_amount=states[invoice.pk].open_amount,
            status=states[invoice.pk].status,
            status_label=str(STATUS_LABELS.get(states[invoice.pk].status, states[invoice.pk].status)),
            disputed=states[invoice.pk].disputed,
            prescription_date=states[invoice.pk].prescription_date,
            days_late=days_overdue(invoice.due_date, today),
            penalties=(penalties or {}).get(invoice.pk),
        )
        for invoice in invoices
    ]


@dataclass(frozen=True)
class PenaltiesSummary:
    """The debtor's claim beyond the principal, as of today, and what it rests on."""

    interest: Decimal
    fixed_indemnity: Decimal
    regime: str
    table_date: date
    missing: tuple[str, ...]  # half-years without a rate ("2027-H1")

    @property
    def total(self) -> Decimal:
        return self.interest + self.fixed_indemnity


def penalties_summary(penalties: dict[int, Penalties], regime: str) -> PenaltiesSummary | None:
    if not penalties:
        return None
    figures = list(penalties.values())
    missing = sorted({str(m.half_year) for p in figures for m in p.missing_rates})
    return PenaltiesSummary(
        # What is still claimable: interest already paid (interest-first imputation) is not claimed again.
        interest=sum((p.interest_due for p in figures), Decimal("0")),
        fixed_indemnity=sum((p.fixed_indemnity for p in figures), Decimal("0")),
        regime=regime,
        table_date=figures[0].table_date,
        missing=tuple(missing),
    )


def open_invoices(debtor: Debtor) -> list[Invoice]:
    return list(
        debtor.invoices.filter(
            document_type=DocumentType.INVOICE, status=InvoiceStatus.OPEN, open_amount__gt=0
        ).order_by("due_date", "number")
    )


def debtor_scenario(debtor: Debtor) -> tuple[ScenarioSpec, Scenario | None, bool]:
    """(the scenario the debtor follows, its row, whether a person assigned it): the same choice as
    `dunning.domain.scenarios.scenario_resolver`, for one debtor, without loading every assignment."""
    assignment = ScenarioAssignment.objects.filter(debtor=debtor).select_related("scenario").first()
    chosen = assignment.scenario if assignment is not None else None
    if chosen is None:
        scenarios = list(Scenario.objects.all())
        targets = [(debtor.segment, debtor.debtor_type), (debtor.segment, ""), ("", debtor.debtor_type)]
        for segment, debtor_type in targets:
            if not segment and not debtor_type:
                continue
            chosen = next(
                (
                    s
                    for s in scenarios
                    if not s.is_default and (s.segment, s.debtor_type) == (segment, debtor_type)
                ),
                None,
            )
            if chosen is not None:
                break
        if chosen is None:
            chosen = next((s for s in scenarios if s.is_default), None)
    if chosen is None:  # the cycle creates the default scenario on its first run
        return B2B_STANDARD, None, False
    return scenario_spec(chosen, list(ScenarioStep.objects.filter(scenario=chosen))), chosen, bool(assignment)


def debtor_outlook_for(debtor: Debtor, invoices: list[Invoice], today: date) -> tuple[Outlook, Any]:
    spec, scenario, assigned = debtor_scenario(debtor)
    ladder = ladder_for(spec, debtor.debtor_type, debtor.segment, debtor_profile(debtor, today))
    case = Case.objects.filter(debtor=debtor, status=CaseStatus.OPEN).first()
    steps: tuple[StepTaken, ...] = ()
    if case is not None:
        steps = tuple(
            StepTaken(code, channel, day, status)
            for code, channel, day, status in Action.objects.filter(case=case)
            .exclude(status=ActionStatus.CANCELLED, fallback_of__isnull=False)
            .values_list("step", "channel", "scheduled_for", "status")
        )
    withheld = withheld_invoice_ids(today, debtor.pk)
    overdue = [i for i in invoices if i.due_date < today]
    active = [i.due_date for i in overdue if i.pk not in withheld]
    promise = Promise.objects.filter(debtor=debtor, status=PromiseStatus.OPEN, made_on__lte=today).first()
    pause = debtor_pause_states([debtor.pk], today)[debtor.pk]
    blocked = (
        "redacted"
        if debtor.redacted_at
        else "do_not_contact"
        if debtor.do_not_contact
        else "insolvency"
        if debtor.insolvency_since
        else ""
    )
    facts = OutlookFacts(
        ladder=ladder,
        case_anchor=case.anchor_due_date if case is not None else None,
        steps=steps,
        oldest_active_due=min(active, default=None),
        any_overdue=bool(overdue),
        blocked=blocked,
        promise_until=promise.window_end if promise is not None else None,
        hold_until=pause.until if pause.paused else None,
    )
    info = {
        "scenario": scenario,
        "scenario_name": spec.name,
        "assigned": assigned,
        "promise": promise,
        "pause": pause,
    }
    return debtor_outlook(facts, today), info


def localise_events(events: list[Event]) -> list[Event]:
    """The events people record from this page, said in the reader's language from their data (the
    stored summary is French); other events keep their summary."""
    for event in events:
        data = event.data or {}
        line = ""
        if event.kind == EventKind.NOTE and data.get("text"):
            line = data["text"]
        elif event.kind == EventKind.CALL_RECORDED and data.get("outcome") in CallOutcome.values:
            line = str(CallOutcome(data["outcome"]).label) + (
                f" — {data['note']}" if data.get("note") else ""
            )
        elif event.kind == EventKind.MESSAGE_PLANNED and data.get("channel") in ActionChannel.values:
            line = f"{step_label(data.get('step', ''))} ({ActionChannel(data['channel']).label})"
        event.line = line  # type: ignore[attr-defined]
    return events


def _forms(
    organisation: Any, debtor: Debtor, invoices: list[Invoice], today: date, contacts: list[Any]
) -> dict[str, Any]:
    identity = IdentityForm(initial={f: getattr(debtor, f) for f in IdentityForm.base_fields})
    return {
        "identity": identity,
        "contact_add": ContactAddForm(),
        "contact_edits": {
            c.pk: ContactEditForm(initial={"value": c.value, "name": c.name}, prefix=f"contact-{c.pk}")
            for c in contacts
        },
        "call": CallForm(invoices=invoices, today=today),
        "note": NoteForm(),
        "promise": PromiseForm(today=today),
        "dispute": DisputeForm(invoices=invoices),
        "pause": PauseForm(today=today),
        "scenario": ScenarioForm(),
        "agent": AgentForm(initial={"agent": debtor.agent_id}, organisation=organisation),
        "message": MessageForm(),
    }


def debtor_page(
    request: HttpRequest,
    debtor: Debtor,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
    contact_errors: dict[int, forms.Form] | None = None,
) -> HttpResponse:
    """The whole page; `bound` replaces the empty forms with the refused ones (their errors and the
    values typed), and `status` is 400 then."""
    today = paris_today()
    opened = open_invoices(debtor)
    closed_query = debtor.invoices.exclude(
        document_type=DocumentType.INVOICE, status=InvoiceStatus.OPEN, open_amount__gt=0
    )
    closed = list(closed_query.select_related("applies_to").order_by("-due_date", "-id")[:CLOSED_LIMIT])
    closed.reverse()
    payments = list(
        debtor.payments.order_by("-date", "-id").prefetch_related(
            Prefetch(
                "allocations", queryset=Allocation.objects.select_related("invoice").order_by("date", "id")
            )
        )[:PAYMENT_LIMIT]
    )
    for payment in payments:
        payment.unallocated = payment.amount - sum(
            (a.amount for a in payment.allocations.all()), Decimal("0")
        )
    events = Event.objects.filter(debtor=debtor).select_related("actor", "invoice")
    shown_events = list(events[: TIMELINE_LIMIT + 1])
    contacts = list(debtor.contacts.all())
    aged = aged_balance(today, debtor=debtor)
    outlook, scenario_info = debtor_outlook_for(debtor, opened, today)
    penalties = invoices_penalties(opened, today)
    page_forms = _forms(request.organisation, debtor, opened, today, contacts)  # type: ignore[attr-defined]
    if scenario_info["assigned"]:
        page_forms["scenario"] = ScenarioForm(initial={"scenario": scenario_info["scenario"].pk})
    page_forms.update(bound or {})
    page_forms["contact_edits"].update(contact_errors or {})
    role = request.role  # type: ignore[attr-defined]
    context = {
        "debtor": debtor,
        "today": today,
        "contacts": [(c, page_forms["contact_edits"][c.pk]) for c in contacts],
        "open_rows": open_invoice_rows(opened, today, penalties),
        "penalties": penalties_summary(penalties, debtor.debtor_type),
        "closed_invoices": closed,
        "closed_count": closed_query.count() if len(closed) == CLOSED_LIMIT else len(closed),
        "payments": payments,
        "payments_capped": len(payments) == PAYMENT_LIMIT,
        "events": localise_events(shown_events[:TIMELINE_LIMIT]),
        "show_invoice_links": True,
        "more_events": len(shown_events) > TIMELINE_LIMIT,
        "timeline_limit": TIMELINE_LIMIT,
        "aged": aged,
        "buckets": bucket_rows(aged),
        "credit": unallocated_credit(today, debtor=debtor),
        "outlook": outlook,
        "next_label": step_label(outlook.next_step.code) if outlook.next_step else "",
        "current_label": step_label(outlook.current.code) if outlook.current else "",
        **scenario_info,
        "forms": page_forms,
        "open_form": next(iter(bound), "") if bound else "",
        "can_manage": role_allows(role, MANAGER),
        "arrangements": debtor_arrangements(debtor, today, scenario_info["promise"]),
        **rights(request),
    }
    # Every look at a debtor's personal data is recorded (GDPR access requests list them).
    audit_look(request, object_type="debtor", object_id=debtor.pk, debtor_id=debtor.pk)
    return render(request, "backoffice/debtors/detail.html", context, status=status)


@membership_required
def debtor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # The scope set by the middleware makes another organisation's debtor a plain 404.
    debtor = get_object_or_404(Debtor.objects.select_related("agent"), pk=pk)
    return debtor_page(request, debtor)
