"""Back-office pages: one invoice (issue 4): its details as of today, the payments and credit notes
allocated to it, its disputes (open one from here, a manager closes one), its limitation date and
what it runs from (a manager records or withdraws an interruption, issue 5), the messages that claimed
it, and its history. The import has no invoice PDF yet: the page says so.

Each module lists its own routes in `urls`, which backoffice/urls.py includes."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from recouvre.backoffice.views.access import (
    MANAGER,
    audit_look,
    membership_required,
    paris_today,
    rights,
    role_required,
)
from recouvre.backoffice.views.actions import step_label
from recouvre.backoffice.views.debtor_forms import DATE_FORMATS, DisputeCloseForm, DisputeForm
from recouvre.backoffice.views.debtors import STATUS_LABELS
from recouvre.backoffice.views.form_errors import put_errors
from recouvre.disputes.domain.services import DisputeError, dispute_close
from recouvre.disputes.enums import DisputeStatus
from recouvre.disputes.models import Dispute
from recouvre.dunning.models import Action
from recouvre.ledger.domain.ageing import days_overdue
from recouvre.ledger.domain.limitation import (
    REASON_MAX,
    REFERENCE_MAX,
    InterruptionRefused,
    limitation_interruption_record,
    limitation_interruption_withdraw,
)
from recouvre.ledger.domain.penalties import invoices_penalties
from recouvre.ledger.domain.queries import (
    FROM_DELIVERY_DATE,
    FROM_DUE_DATE,
    FROM_PART_PAYMENT,
    invoice_as_of,
)
from recouvre.ledger.domain.services import LedgerError
from recouvre.ledger.enums import DocumentType, InterruptionKind, InvoiceStatus
from recouvre.ledger.models import Allocation, Invoice, LimitationInterruption
from recouvre.tenancy.domain.services import role_allows
from recouvre.timeline.models import Event

HISTORY_LIMIT = 100
# The debtor's messages are read to find those that listed this invoice (a JSON list of ids, not a
# join): bounded to the most recent ones.
ACTION_SCAN = 500


class InterruptionForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Nature"), choices=InterruptionKind.choices)
    date = forms.DateField(
        label=gettext_lazy("Date"),
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reference = forms.CharField(
        label=gettext_lazy("Référence (n° RG, courrier, plan…)"), max_length=REFERENCE_MAX, required=False
    )


class InterruptionWithdrawForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Motif du retrait"), max_length=REASON_MAX)


def _withdraw_prefix(interruption_pk: int) -> str:
    return f"withdraw-{interruption_pk}"


def _start_label(kind: str) -> str:
    """What a limitation period runs from, in words (queries.LimitationStart.kind)."""
    labels = {
        FROM_DUE_DATE: _("Échéance"),
        FROM_DELIVERY_DATE: _("Livraison"),
        FROM_PART_PAYMENT: _("Paiement partiel"),
    }
    return labels.get(kind) or str(InterruptionKind(kind).label)


def _invoice(pk: int) -> Invoice:
    # Inside the organisation's scope: another organisation's invoice is a plain 404.
    return get_object_or_404(Invoice.objects.select_related("debtor", "applies_to"), pk=pk)


def invoice_page(
    request: HttpRequest,
    invoice: Invoice,
    bound: dict[str, object] | None = None,
    status: int = 200,
) -> HttpResponse:
    today = paris_today()
    state = invoice_as_of(invoice, today)
    allocations = list(
        Allocation.objects.filter(invoice=invoice)
        .select_related("payment", "credit_note")
        .order_by("date", "id")
    )
    disputes = list(
        Dispute.objects.filter(invoice=invoice).select_related("opened_by").order_by("-opened_on")
    )
    open_dispute = next((d for d in disputes if d.status == DisputeStatus.OPEN), None)
    actions = [
        a
        for a in Action.objects.filter(debtor_id=invoice.debtor_id).order_by("-scheduled_for", "-id")[
            :ACTION_SCAN
        ]
        if invoice.pk in (a.invoice_ids or [])
    ]
    for action in actions:
        action.step_label = step_label(action.step)
    events = list(
        Event.objects.filter(debtor_id=invoice.debtor_id, invoice=invoice).select_related("actor", "invoice")[
            :HISTORY_LIMIT
        ]
    )
    is_open_invoice = invoice.document_type == DocumentType.INVOICE and invoice.status == InvoiceStatus.OPEN
    page_forms: dict[str, object] = {
        "dispute": DisputeForm(invoices=[invoice], initial={"invoice": invoice.pk}),
        "dispute_close": DisputeCloseForm(),
        "interruption": InterruptionForm(initial={"date": today}),
    }
    page_forms.update(bound or {})
    interruptions = list(
        LimitationInterruption.objects.filter(invoice=invoice).select_related("created_by", "withdrawn_by")
    )
    for interruption in interruptions:
        prefix = _withdraw_prefix(interruption.pk)
        form = page_forms.get(prefix) or InterruptionWithdrawForm(prefix=prefix)
        interruption.withdraw_form = form  # type: ignore[attr-defined]
    start = state.limitation_start
    context = {
        "invoice": invoice,
        "debtor": invoice.debtor,
        "today": today,
        "state": state,
        "status_label": STATUS_LABELS.get(state.status, state.status),
        "days_late": days_overdue(invoice.due_date, today) if is_open_invoice else 0,
        # Penalties run until payment in full: a settled invoice still shows what its lateness cost.
        "penalties": invoices_penalties([invoice], today).get(invoice.pk),
        "allocations": allocations,
        "credit_notes": list(invoice.credit_notes.order_by("issue_date", "number")),
        "disputes": disputes,
        "open_dispute": open_dispute,
        "actions": actions,
        "events": events,
        "forms": page_forms,
        "can_dispute": is_open_invoice and open_dispute is None,
        "limitation_start": start,
        "limitation_start_label": _start_label(start.kind) if start else "",
        "limitation_lapsed": state.prescription_date is not None and state.prescription_date < today,
        "interruptions": interruptions,
        # A credit note, a cancelled or a settled invoice owes nothing: no limitation to interrupt.
        "can_interrupt": invoice.document_type == DocumentType.INVOICE
        and invoice.status != InvoiceStatus.CANCELLED
        and state.prescription_date is not None,
        "can_manage": role_allows(request.role, MANAGER),  # type: ignore[attr-defined]
        **rights(request),
    }
    audit_look(request, object_type="invoice", object_id=invoice.pk, debtor_id=invoice.debtor_id)
    return render(request, "backoffice/invoices/detail.html", context, status=status)


@membership_required
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return invoice_page(request, _invoice(pk))


@role_required(MANAGER)
@require_POST
def invoice_dispute_close(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice(pk)
    form = DisputeCloseForm(request.POST)
    if form.is_valid():
        try:
            dispute_close(
                organisation=request.organisation,  # type: ignore[attr-defined]
                invoice=invoice,
                outcome=form.cleaned_data["outcome"],
                on=paris_today(),
                actor=request.user,
                amount=form.cleaned_data["amount"],
            )
        except DisputeError as exc:
            if "has no open dispute" in str(exc):
                # A second click: the first one closed it.
                return redirect(reverse("backoffice:invoice-detail", args=[invoice.pk]) + "#disputes-title")
            form.add_error("amount" if "amount" in str(exc) else None, str(exc))
        else:
            messages.success(request, _("Litige clos."))
            return redirect(reverse("backoffice:invoice-detail", args=[invoice.pk]) + "#disputes-title")
    return invoice_page(request, invoice, {"dispute_close": form}, status=400)


def _back_to_limitation(invoice: Invoice) -> HttpResponse:
    return redirect(reverse("backoffice:invoice-detail", args=[invoice.pk]) + "#limitation-title")


@role_required(MANAGER)
@require_POST
def invoice_limitation_record(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice(pk)
    form = InterruptionForm(request.POST)
    if form.is_valid():
        try:
            limitation_interruption_record(
                organisation=request.organisation,  # type: ignore[attr-defined]
                invoice=invoice,
                kind=form.cleaned_data["kind"],
                on=form.cleaned_data["date"],
                reference=form.cleaned_data["reference"],
                today=paris_today(),
                actor=request.user,
            )
        except InterruptionRefused as exc:
            put_errors(form, exc.errors)
        except LedgerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Interruption de la prescription enregistrée."))
            return _back_to_limitation(invoice)
    return invoice_page(request, invoice, {"interruption": form}, status=400)


@role_required(MANAGER)
@require_POST
def invoice_limitation_withdraw(request: HttpRequest, pk: int, interruption_pk: int) -> HttpResponse:
    invoice = _invoice(pk)
    interruption = get_object_or_404(LimitationInterruption, pk=interruption_pk, invoice=invoice)
    prefix = _withdraw_prefix(interruption.pk)
    form = InterruptionWithdrawForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            limitation_interruption_withdraw(
                organisation=request.organisation,  # type: ignore[attr-defined]
                interruption=interruption,
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except InterruptionRefused as exc:
            put_errors(form, exc.errors)
        else:
            messages.success(request, _("Interruption retirée."))
            return _back_to_limitation(invoice)
    return invoice_page(request, invoice, {prefix: form}, status=400)


urls: list[URLPattern] = [
    path("invoices/<int:pk>/", invoice_detail, name="invoice-detail"),
    path("invoices/<int:pk>/dispute/close/", invoice_dispute_close, name="invoice-dispute-close"),
    path("invoices/<int:pk>/limitation/", invoice_limitation_record, name="invoice-limitation-record"),
    path(
        "invoices/<int:pk>/limitation/<int:interruption_pk>/withdraw/",
        invoice_limitation_withdraw,
        name="invoice-limitation-withdraw",
    ),
]
