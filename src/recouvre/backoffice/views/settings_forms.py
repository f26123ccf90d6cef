"""The settings pages' forms: what each section edits, with the limits the person sees before the
service checks them again (tenancy.domain.organisation_settings)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy

from recouvre.backoffice.views.debtor_forms import AmountField
from recouvre.dunning.domain.rules import HOLIDAYS_ZONES
from recouvre.tenancy.domain.settings import (
    MAX_CAP_PER_DAY,
    MAX_CAP_PER_WEEK,
    MAX_DURATION_LIMIT,
    MAX_FIRST_DELAY_LIMIT,
    MAX_GRACE_LIMIT,
    MAX_INSTALMENTS_LIMIT,
)
from recouvre.tenancy.enums import Role

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class IdentityForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Raison sociale"), max_length=200)
    siren = forms.CharField(
        label=gettext_lazy("SIREN"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("9 chiffres ; un SIRET de 14 chiffres est accepté."),
    )
    address = forms.CharField(
        label=gettext_lazy("Adresse"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    postcode = forms.CharField(label=gettext_lazy("Code postal"), max_length=10, required=False)
    city = forms.CharField(label=gettext_lazy("Ville"), max_length=100, required=False)
    phone = forms.CharField(label=gettext_lazy("Téléphone"), max_length=30, required=False)
    signature = forms.CharField(
        label=gettext_lazy("Signature des courriers"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Par défaut : « Service recouvrement, » suivi de la raison sociale."),
    )


class BankForm(forms.Form):
    iban = forms.CharField(label=gettext_lazy("IBAN"), max_length=50, required=False)
    bic = forms.CharField(
        label=gettext_lazy("BIC"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("Laissé vide, il est déduit de l'IBAN."),
    )


class SenderForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Adresse de réponse"),
        required=False,
        help_text=gettext_lazy("Les débiteurs répondent à cette adresse ; elle figure sur les courriers."),
    )
    sender_email = forms.EmailField(
        label=gettext_lazy("Adresse d'expédition"),
        required=False,
        help_text=gettext_lazy("Laissée vide, l'adresse d'expédition de la plateforme."),
    )


class ContactForm(forms.Form):
    contact_start = forms.TimeField(label=gettext_lazy("Début des heures de contact"), widget=TIME)
    contact_end = forms.TimeField(label=gettext_lazy("Fin des heures de contact"), widget=TIME)
    plan_at = forms.TimeField(
        label=gettext_lazy("Heure de préparation des relances"),
        widget=TIME,
        help_text=gettext_lazy("Chaque jour ouvré, les relances du jour sont préparées à cette heure."),
    )
    cap_per_day = forms.IntegerField(
        label=gettext_lazy("Messages par débiteur et par jour, au plus"),
        min_value=1,
        max_value=MAX_CAP_PER_DAY,
    )
    cap_per_week = forms.IntegerField(
        label=gettext_lazy("Messages par débiteur sur 7 jours glissants, au plus"),
        min_value=1,
        max_value=MAX_CAP_PER_WEEK,
    )
    holidays_zone = forms.ChoiceField(label=gettext_lazy("Jours fériés"), required=False)

    def __init__(self, *args: Any, address_label: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zone = self.fields["holidays_zone"]
        zone.choices = [("", address_label), *HOLIDAYS_ZONES]  # type: ignore[attr-defined]
        # The list of holidays beside the form follows the zone as it is chosen.
        zone.widget.attrs.update(
            {
                "hx-get": reverse("backoffice:settings-holidays"),
                "hx-trigger": "change",
                "hx-target": "#holidays",
            }
        )


class LawForm(forms.Form):
    interest_first = forms.BooleanField(
        label=gettext_lazy("Imputer les paiements sur les intérêts d'abord"),
        required=False,
        help_text=gettext_lazy(
            "C. civ. 1343-1 : un paiement règle d'abord les intérêts de retard échus de la facture, "
            "puis son principal ; l'indemnité de 40 € n'est jamais imputée ainsi."
        ),
    )
    contractual_rate = AmountField(
        label=gettext_lazy("Taux contractuel de pénalités (% l'an)"),
        required=False,
        max_digits=6,
        decimal_places=3,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=gettext_lazy(
            "Vide : le taux légal (taux BCE + 10 points). Jamais moins de 3 fois le taux d'intérêt "
            "légal ; le taux d'un débiteur ou d'une facture prime."
        ),
    )
    divisor = forms.TypedChoiceField(
        label=gettext_lazy("Jours de l'année pour le calcul"),
        coerce=int,
        choices=[
            (365, gettext_lazy("365 jours (année civile)")),
            (360, gettext_lazy("360 jours (année commerciale)")),
        ],
        help_text=gettext_lazy("Les jours de retard sont divisés par ce nombre ; 365 par défaut."),
    )


class PlansForm(forms.Form):
    max_instalments = forms.IntegerField(
        label=gettext_lazy("Nombre maximal d'échéances"), min_value=1, max_value=MAX_INSTALMENTS_LIMIT
    )
    min_instalment = AmountField(
        label=gettext_lazy("Échéance minimale (€)"),
        max_digits=9,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=gettext_lazy("Ne s'applique pas à un paiement en une seule fois."),
    )
    max_first_delay_days = forms.IntegerField(
        label=gettext_lazy("Première échéance au plus tard (jours après la proposition)"),
        min_value=0,
        max_value=MAX_FIRST_DELAY_LIMIT,
    )
    max_duration_months = forms.IntegerField(
        label=gettext_lazy("Durée maximale (mois jusqu'à la dernière échéance)"),
        min_value=1,
        max_value=MAX_DURATION_LIMIT,
    )
    grace_days = forms.IntegerField(
        label=gettext_lazy("Délai de grâce (jours)"),
        min_value=0,
        max_value=MAX_GRACE_LIMIT,
        help_text=gettext_lazy(
            "Une échéance toujours impayée ce nombre de jours après sa date rompt l'échéancier : "
            "les relances reprennent."
        ),
    )


class AgencyForm(forms.Form):
    client_name = forms.CharField(label=gettext_lazy("Créancier mandant"), max_length=200)
    client_address = forms.CharField(
        label=gettext_lazy("Adresse du créancier mandant"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Une ligne par ligne d'adresse, code postal et ville compris."),
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Adresse e-mail"))
    role = forms.ChoiceField(label=gettext_lazy("Rôle"), choices=Role.choices, initial=Role.AGENT)
