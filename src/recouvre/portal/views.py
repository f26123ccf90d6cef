"""The portal's pages: what is owed, paying by transfer (IBAN, RF reference, EPC QR code), promising a
date. Every page is reached through `portal_view`, which has already checked the link."""

from __future__ import annotations

import base64
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from schwifty import IBAN
from segno import helpers as segno_helpers

from recouvre.arrangements.domain.services import PromiseError, promise_add
from recouvre.arrangements.enums import PromiseStatus
from recouvre.arrangements.models import Promise
from recouvre.kernel.money import ZERO
from recouvre.ledger.enums import DocumentType, InvoiceStatus
from recouvre.ledger.models import Debtor, Invoice
from recouvre.portal.access import paris_today, portal_view
from recouvre.selfservice.domain.references import rf_reference

PROMISE_HORIZON_DAYS = 60  # further away, a payment plan is the better tool


def open_invoices(debtor: Debtor) -> list[Invoice]:
    return list(
        Invoice.objects.filter(
            debtor=debtor, document_type=DocumentType.INVOICE, status=InvoiceStatus.OPEN, open_amount__gt=0
        ).order_by("due_date", "number")
    )


def _common(request: HttpRequest, debtor: Debtor, organisation: Any) -> dict[str, Any]:
    invoices = open_invoices(debtor)
    today = paris_today()
    return {
        "debtor": debtor,
        "organisation": organisation,
        "token": request.portal_token,  # type: ignore[attr-defined]
        "language": request.portal_language,  # type: ignore[attr-defined]
        "invoices": invoices,
        "total": sum((i.open_amount for i in invoices), ZERO),
        "overdue": sum((i.open_amount for i in invoices if i.due_date < today), ZERO),
        "currency": invoices[0].currency if invoices else "EUR",
        "today": today,
        "promise": Promise.objects.filter(debtor=debtor, status=PromiseStatus.OPEN).first(),
    }


@portal_view("view")
def home(request: HttpRequest, debtor: Debtor, organisation: Any) -> HttpResponse:
    return render(request, "portal/home.html", _common(request, debtor, organisation))


def _bic(organisation: Any) -> str:
    if organisation.bic:
        return str(organisation.bic)
    try:
        bic = IBAN(organisation.iban).bic
    except ValueError:
        return ""
    return str(bic) if bic else ""


def epc_qr_svg(*, name: str, iban: str, bic: str, amount: Decimal, reference: str) -> str:
    """The SEPA transfer QR code (EPC069-12) as an inline SVG data URI: a banking app reads the
    beneficiary, IBAN, amount and the RF reference from it."""
    qr = segno_helpers.make_epc_qr(
        name=name[:70], iban=iban, amount=amount, reference=reference, bic=bic or None
    )
    svg = qr.svg_inline(scale=4, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@portal_view("pay")
def pay(request: HttpRequest, debtor: Debtor, organisation: Any) -> HttpResponse:
    context = _common(request, debtor, organisation)
    reference = rf_reference(debtor.pk)
    iban = "".join((organisation.iban or "").split()).upper()
    amount = context["overdue"] or context["total"]
    qr = ""
    if iban and context["currency"] == "EUR" and Decimal("0.01") <= amount <= Decimal("999999999.99"):
        try:
            qr = epc_qr_svg(
                name=organisation.name, iban=iban, bic=_bic(organisation), amount=amount, reference=reference
            )
        except ValueError:
            qr = ""  # the details are printed in clear anyway
    context |= {
        "reference": reference,
        "iban": " ".join(iban[i : i + 4] for i in range(0, len(iban), 4)),
        "bic": _bic(organisation),
        "amount": amount,
        "qr": qr,
    }
    return render(request, "portal/pay.html", context)


class PromiseForm(forms.Form):
    promised_date = forms.DateField(
        label=gettext_lazy("Date à laquelle vous paierez"), widget=forms.DateInput(attrs={"type": "date"})
    )
    amount = forms.DecimalField(
        label=gettext_lazy("Montant"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )

    def __init__(self, *args: Any, total: Decimal, today: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.total, self.today = total, today

    def clean_promised_date(self) -> Any:
        day = self.cleaned_data["promised_date"]
        if day < self.today:
            raise forms.ValidationError(_("Choisissez une date à partir d'aujourd'hui."))
        if day > self.today + timedelta(days=PROMISE_HORIZON_DAYS):
            raise forms.ValidationError(
                _("Au-delà de %(days)s jours, proposez plutôt un échéancier.")
                % {"days": PROMISE_HORIZON_DAYS}
            )
        return day

    def clean_amount(self) -> Any:
        amount = self.cleaned_data["amount"]
        if amount > self.total:
            raise forms.ValidationError(_("C'est plus que ce qui reste dû."))
        return amount


@portal_view("promise")
def promise(request: HttpRequest, debtor: Debtor, organisation: Any) -> HttpResponse:
    context = _common(request, debtor, organisation)
    if not context["total"]:
        return redirect("portal:home", request.portal_token)  # type: ignore[attr-defined]
    form = PromiseForm(
        request.POST or None,
        total=context["total"],
        today=context["today"],
        initial={"amount": context["overdue"] or context["total"]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            promise_add(
                organisation=organisation,
                debtor=debtor,
                amount=form.cleaned_data["amount"],
                promised_date=form.cleaned_data["promised_date"],
                made_on=context["today"],
                actor=None,
                note=_("Promesse faite sur le portail"),
            )
        except PromiseError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect(f"/portal/{request.portal_token}/?done=promise")  # type: ignore[attr-defined]
    context["form"] = form
    return render(request, "portal/promise.html", context, status=400 if form.errors else 200)


app_name = "portal"
urlpatterns: list[URLPattern] = [
    path("<str:token>/", home, name="home"),
    path("<str:token>/pay/", pay, name="pay"),
    path("<str:token>/promise/", promise, name="promise"),
]
