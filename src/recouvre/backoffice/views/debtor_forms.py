"""The forms of the debtor page: identity, contacts, call, note, promise, dispute, pause, scenario, a
one-off message. Validated on the server; the services check again (they are the rule)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recouvre.arrangements.domain.services import PromiseError
from recouvre.disputes.domain.services import DisputeError
from recouvre.disputes.enums import DisputeOutcome, DisputeReason
from recouvre.dunning.domain.oneoff import CHOICES as ONE_OFF_CHOICES
from recouvre.dunning.enums import CallOutcome
from recouvre.dunning.models import Scenario
from recouvre.ledger.enums import ContactKind, DebtorType, Language, Segment
from recouvre.ledger.models import Invoice
from recouvre.tenancy.enums import Role

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def _date_field(label: Any, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class AmountField(forms.DecimalField):
    """Accepts the French "1 234,56" as well as "1234.56"."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.replace("\xa0", "").replace("\u202f", "").replace(" ", "").replace(",", ".")
        return super().to_python(value)


def _amount_field(label: Any, required: bool = True) -> AmountField:
    return AmountField(
        label=label,
        required=required,
        max_digits=14,
        decimal_places=2,
        min_value=0,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class TokenForm(forms.Form):
    """A one-time token per displayed form: a second submission of the same page does nothing."""

    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4().hex)


class IdentityForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Raison sociale"), max_length=200)
    debtor_type = forms.ChoiceField(label=gettext_lazy("Type"), choices=DebtorType.choices)
    segment = forms.ChoiceField(
        label=gettext_lazy("Segment"), choices=[("", "—"), *Segment.choices], required=False
    )
    siren = forms.CharField(label=gettext_lazy("SIREN"), max_length=20, required=False)
    vat_number = forms.CharField(label=gettext_lazy("N° de TVA"), max_length=20, required=False)
    address = forms.CharField(
        label=gettext_lazy("Adresse"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    postcode = forms.CharField(label=gettext_lazy("Code postal"), max_length=10, required=False)
    city = forms.CharField(label=gettext_lazy("Ville"), max_length=100, required=False)
    country = forms.CharField(label=gettext_lazy("Pays (code ISO)"), max_length=2, initial="FR")
    language = forms.ChoiceField(label=gettext_lazy("Langue"), choices=Language.choices)
    # A manager's fields (ledger.domain.debtors.debtor_law_update); the view drops them for an agent.
    insolvency_since = _date_field(gettext_lazy("Jugement d'ouverture d'une procédure collective"), False)
    contractual_rate = AmountField(
        label=gettext_lazy("Taux contractuel de pénalités (% l'an)"),
        required=False,
        max_digits=6,
        decimal_places=3,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class ContactAddForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Type de contact"), choices=ContactKind.choices)
    value = forms.CharField(label=gettext_lazy("Adresse e-mail ou numéro"), max_length=254)
    name = forms.CharField(label=gettext_lazy("Nom de la personne"), max_length=200, required=False)


class ContactEditForm(forms.Form):
    value = forms.CharField(label=gettext_lazy("Adresse e-mail ou numéro"), max_length=254)
    name = forms.CharField(label=gettext_lazy("Nom de la personne"), max_length=200, required=False)


class NoteForm(TokenForm):
    text = forms.CharField(
        label=gettext_lazy("Note"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


def _open_invoice_field(invoices: list[Invoice], label: Any, required: bool) -> forms.ModelChoiceField:
    field: forms.ModelChoiceField = forms.ModelChoiceField(
        label=label, required=required, queryset=Invoice.objects.filter(pk__in=[i.pk for i in invoices])
    )
    field.label_from_instance = lambda invoice: invoice.number  # type: ignore[method-assign]
    field.empty_label = "—"
    return field


def check_call_outcome(form: forms.Form, data: dict[str, Any], today: date) -> None:
    """What a call's outcome brings must be complete: a promise its amount (above zero) and date (not
    past), a dispute its invoice and reason. Shared by the debtor page's call form and the call list's
    outcome form (views/tasks.py)."""
    outcome = data.get("outcome")
    if outcome == CallOutcome.PROMISE:
        amount, promised = data.get("promise_amount"), data.get("promise_date")
        if amount is None and "promise_amount" not in form.errors:
            form.add_error("promise_amount", _("Indiquez le montant promis."))
        elif amount is not None and amount <= 0:
            form.add_error("promise_amount", _("Le montant promis doit être supérieur à zéro."))
        if promised is None and "promise_date" not in form.errors:
            form.add_error("promise_date", _("Indiquez la date promise."))
        elif promised is not None and promised < today:
            form.add_error("promise_date", _("La date promise ne peut pas être passée."))
    if outcome == CallOutcome.DISPUTE:
        if data.get("dispute_invoice") is None and "dispute_invoice" not in form.errors:
            form.add_error("dispute_invoice", _("Choisissez la facture contestée."))
        if not data.get("dispute_reason"):
            form.add_error("dispute_reason", _("Choisissez le motif du litige."))


def dispute_refusal(exc: DisputeError) -> str:
    """A refused dispute said to the person: the usual case (a second dispute) in French."""
    if "already has an open dispute" in str(exc):
        return _("Cette facture a déjà un litige ouvert.")
    return str(exc)


def put_call_refusal(form: forms.Form, exc: PromiseError | DisputeError) -> None:
    """A call outcome's promise or dispute refused by its service, next to the field concerned."""
    if isinstance(exc, PromiseError):
        form.add_error("promise_amount" if "amount" in str(exc) else "promise_date", str(exc))
    else:
        form.add_error("dispute_invoice", dispute_refusal(exc))


class CallForm(TokenForm):
    """A call and its outcome; a promise or a dispute is recorded with it, in one transaction."""

    outcome = forms.ChoiceField(label=gettext_lazy("Issue de l'appel"), choices=CallOutcome.choices)
    note = forms.CharField(
        label=gettext_lazy("Compte rendu"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    promise_amount = _amount_field(gettext_lazy("Montant promis"), required=False)
    promise_date = _date_field(gettext_lazy("Date promise"), required=False)
    dispute_reason = forms.ChoiceField(
        label=gettext_lazy("Motif du litige"), required=False, choices=[("", "—"), *DisputeReason.choices]
    )

    def __init__(self, *args: Any, invoices: list[Invoice], today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["dispute_invoice"] = _open_invoice_field(
            invoices, gettext_lazy("Facture contestée"), required=False
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_call_outcome(self, data, self.today)
        return data


class PromiseForm(forms.Form):
    amount = _amount_field(gettext_lazy("Montant promis"))
    promised_date = _date_field(gettext_lazy("Date promise"))
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000)

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_amount(self) -> Any:
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError(_("Le montant promis doit être supérieur à zéro."))
        return amount

    def clean_promised_date(self) -> Any:
        day = self.cleaned_data["promised_date"]
        if day < self.today:
            raise forms.ValidationError(_("La date promise ne peut pas être passée."))
        return day


class DisputeForm(forms.Form):
    reason = forms.ChoiceField(label=gettext_lazy("Motif"), choices=DisputeReason.choices)
    comment = forms.CharField(label=gettext_lazy("Commentaire"), required=False, max_length=2000)

    def __init__(self, *args: Any, invoices: list[Invoice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "invoice": _open_invoice_field(invoices, gettext_lazy("Facture contestée"), required=True),
            **self.fields,
        }


class DisputeCloseForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Issue du litige"), choices=DisputeOutcome.choices)
    amount = _amount_field(gettext_lazy("Montant de l'avoir"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == DisputeOutcome.CREDIT_NOTE:
            if data.get("amount") is None and "amount" not in self.errors:
                self.add_error("amount", _("Indiquez le montant de l'avoir."))
        elif data.get("amount") is not None:
            self.add_error("amount", _("Un montant ne s'indique que pour un avoir."))
        return data


class PauseForm(forms.Form):
    until = _date_field(gettext_lazy("Suspendre jusqu'au"))
    reason = forms.CharField(label=gettext_lazy("Motif"), max_length=300)

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_until(self) -> Any:
        until = self.cleaned_data["until"]
        if until < self.today:
            raise forms.ValidationError(_("La date de fin ne peut pas être passée."))
        return until


class ScenarioForm(forms.Form):
    scenario = forms.ModelChoiceField(
        label=gettext_lazy("Scénario"),
        queryset=Scenario.objects.none(),
        required=False,
        empty_label=gettext_lazy("Automatique (selon le segment et le type)"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scenario"].queryset = Scenario.objects.order_by("name")  # type: ignore[attr-defined]


class AgentForm(forms.Form):
    """Who works the account: the organisation's members who may collect (agent and above)."""

    agent = forms.ModelChoiceField(
        label=gettext_lazy("Chargé de recouvrement"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("Personne"),
    )

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = (  # type: ignore[attr-defined]
            get_user_model()
            .objects.filter(
                memberships__organisation=organisation,
                memberships__role__in=[Role.AGENT, Role.MANAGER, Role.ADMIN],
            )
            .order_by("email")
        )


class MessageForm(forms.Form):
    message = forms.ChoiceField(
        label=gettext_lazy("Message"), choices=[(c.key, c.label) for c in ONE_OFF_CHOICES]
    )
