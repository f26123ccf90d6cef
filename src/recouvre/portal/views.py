"""The portal's pages: what is owed, paying by transfer (IBAN, RF reference, EPC QR code), promising a
date. Every page is reached through `portal_view`, which has already checked the link."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from schwifty import IBAN
from segno import helpers as segno_helpers

from recouvre.arrangements.domain.services import PromiseError, promise_add
from recouvre.dunning.domain.callbacks import CallbackError, callback_request
from recouvre.ledger.domain.contacts import ContactInvalid, contact_add, contact_clean
from recouvre.ledger.enums import ContactKind
from recouvre.ledger.models import Debtor
from recouvre.portal.access import portal_view
from recouvre.portal.context import account_context
from recouvre.portal.survey import survey_invite
from recouvre.selfservice.domain.budget import budget_propose
from recouvre.selfservice.domain.online_payments import online_payment_enabled
from recouvre.selfservice.domain.references import rf_reference

PROMISE_HORIZON_DAYS = 60  # further away, a payment plan is the better tool
BUDGET_MAX_MONTHS = 12


@portal_view("view")
def home(request: HttpRequest, debtor: Debtor, organisation: Any) -> HttpResponse:
    context = account_context(request, debtor, organisation)
    context["survey_invite"] = survey_invite(debtor, context["total"])
    return render(request, "portal/home.html", context)


def _bic(organisation: Any) -> str:
    if organisation.bic:
        return str(organisation.bic)
    try:
        bic = IBAN(organisation.iban).bic
    except ValueError:
        return ""
    return str(bic) if bic else ""


def epc_qr(*, name: str, iban: str, bic: str, amount: Decimal, reference: str) -> str:
    """The SEPA transfer QR code (EPC069-12) as a PNG data URI, one pixel per module scaled up without
    smoothing: a banking app reads the beneficiary, IBAN, amount and the RF reference from it."""
    qr = segno_helpers.make_epc_qr(
        name=name[:70], iban=iban, amount=amount, reference=reference, bic=bic or None
    )
    return str(qr.png_data_uri(scale=5, border=4))


@portal_view("pay")
def pay(request: HttpRequest, debtor: Debtor, organisation: Any) -> HttpResponse:
    context = account_context(request, debtor, organisation)
    reference = rf_reference(debtor.pk)
    iban = "".join((organisation.iban or "").split()).upper()
    amount = context["overdue"] or context["total"]
    qr = ""
    if iban and context["currency"] == "EUR" and Decimal("0.01") <= amount <= Decimal("999999999.99"):
        try:
            qr = epc_qr(
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
        "online_enabled": online_payment_enabled(organisation),
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
    context = account_context(request, debtor, organisation)
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


SLOT_CHOICES = [
    ("09-12", gettext_lazy("Entre 9 h et 12 h")),
    ("12-14", gettext_lazy("Entre 12 h et 14 h")),
    ("14-17", gettext_lazy("Entre 14 h et 17 h")),
    ("17-19", gettext_lazy("Entre 17 h et 19 h")),
]
CALLBACK_REFUSALS = {
    "unknown slot": gettext_lazy("Choisissez un créneau."),
    "date out of range": gettext_lazy("Choisissez un jour dans les deux semaines qui viennent."),
    "weekend": gettext_lazy("Nous rappelons du lundi au vendredi."),
}


class CallbackForm(forms.Form):
    day = forms.DateField(label=gettext_lazy("Jour"), widget=forms.DateInput(attrs={"type": "date"}))
    slot = forms.ChoiceField(label=gettext_lazy("Créneau"), choices=SLOT_CHOICES)
    phone = forms.CharField(
        label=gettext_lazy("Numéro où vous joindre"),
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )


def _phones(debtor: Debtor) -> list[str]:
    return list(
        debtor.contacts.filter(kind=ContactKind.PHONE, invalid_since__isnull=True).values_list(
            "value", flat=True
        )
    )


@portal_view("callback")
def callback(request: HttpRequest, debtor: Debtor, organisation: Any) -> HttpResponse:
    context = account_context(request, debtor, organisation)
    known = _phones(debtor)
    form = CallbackForm(request.POST or None, initial={"phone": known[0] if known else ""})
    if request.method == "POST" and form.is_valid():
        try:
            phone, _mobile = contact_clean(ContactKind.PHONE, form.cleaned_data["phone"], debtor.country)
        except ContactInvalid:
            form.add_error("phone", _("Ce numéro de téléphone n'est pas valable."))
        else:
            try:
                with transaction.atomic():
                    if phone not in known:
                        contact_add(
                            organisation=organisation,
                            debtor=debtor,
                            kind=ContactKind.PHONE,
                            value=phone,
                            name="",
                            actor=None,
                        )
                    callback_request(
                        organisation=organisation,
                        debtor=debtor,
                        on=form.cleaned_data["day"],
                        slot=form.cleaned_data["slot"],
                        phone=phone,
                        today=context["today"],
                    )
            except CallbackError as exc:
                form.add_error("day" if str(exc) != "unknown slot" else "slot", CALLBACK_REFUSALS[str(exc)])
            else:
                return redirect(f"/portal/{request.portal_token}/?done=callback")  # type: ignore[attr-defined]
    context["form"] = form
    return render(request, "portal/callback.html", context, status=400 if form.errors else 200)


class ContactForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Adresse e-mail"), required=False)
    phone = forms.CharField(
        label=gettext_lazy("Téléphone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )

    def clean(self) -> Any:
        data = super().clean()
        if not (data.get("email") or data.get("phone")):
            raise forms.ValidationError(_("Indiquez une adresse e-mail ou un numéro de téléphone."))
        return data


@portal_view("contact")
def contact(request: HttpRequest, debtor: Debtor, organisation: Any) -> HttpResponse:
    """The debtor adds where to reach it; what was known stays (a person decides what to remove)."""
    context = account_context(request, debtor, organisation)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        added = []
        for kind, field in ((ContactKind.EMAIL, "email"), (ContactKind.PHONE, "phone")):
            value = form.cleaned_data[field]
            if not value:
                continue
            try:
                contact_add(
                    organisation=organisation, debtor=debtor, kind=kind, value=value, name="", actor=None
                )
                added.append(kind)
            except ContactInvalid:
                form.add_error(field, _("Cette valeur n'est pas valable."))
        if not form.errors:
            return redirect(f"/portal/{request.portal_token}/?done=contact")  # type: ignore[attr-defined]
    context["form"] = form
    return render(request, "portal/contact.html", context, status=400 if form.errors else 200)


class BudgetForm(forms.Form):
    income = forms.DecimalField(
        label=gettext_lazy("Revenus ou recettes par mois (€)"), min_value=0, max_digits=12, decimal_places=2
    )
    charges = forms.DecimalField(
        label=gettext_lazy("Charges fixes par mois (€)"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=gettext_lazy("Loyer, crédits, salaires, impôts…"),
    )


@portal_view("budget")
def budget(request: HttpRequest, debtor: Debtor, organisation: Any) -> HttpResponse:
    context = account_context(request, debtor, organisation)
    form = BudgetForm(request.GET or None)
    if request.GET and form.is_valid():
        context["proposal"] = budget_propose(
            income=form.cleaned_data["income"],
            charges=form.cleaned_data["charges"],
            balance=context["total"],
            max_months=BUDGET_MAX_MONTHS,
        )
    context["form"] = form
    return render(request, "portal/budget.html", context)


urlpatterns_account: list[URLPattern] = [
    path("<str:token>/", home, name="home"),
    path("<str:token>/pay/", pay, name="pay"),
    path("<str:token>/promise/", promise, name="promise"),
    path("<str:token>/callback/", callback, name="callback"),
    path("<str:token>/contact/", contact, name="contact"),
    path("<str:token>/budget/", budget, name="budget"),
]
