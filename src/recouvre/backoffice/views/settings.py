"""Back-office pages: the organisation's settings and its members (issue 4), how its penalties
are computed and payments imputed (issue 5), and the payment plans' rules (issue 6).

Any member reads the overview. An admin changes the legal identity and letterhead, the bank
details, the sender and the members (they commit the company); a manager changes the contact hours,
the caps, the holidays zone, the penalties settings and the plans' rules (they run the dunning).
The tenancy services check the same rights."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from recouvre.audit.domain.services import audit_record
from recouvre.backoffice.views.access import (
    ADMIN,
    MANAGER,
    client_ip,
    membership_required,
    paris_today,
    role_required,
)
from recouvre.backoffice.views.debtor_forms import AmountField
from recouvre.backoffice.views.form_errors import put_errors
from recouvre.dunning.domain.rules import HOLIDAYS_ZONES, public_holidays, zone_of
from recouvre.law.domain.calendar import Calendar, calendar_for
from recouvre.tenancy.domain.agency import agency_client_read
from recouvre.tenancy.domain.members import (
    MembershipNotFound,
    member_invite,
    members_of,
    membership_remove,
    membership_role_change,
)
from recouvre.tenancy.domain.organisation_settings import (
    organisation_settings,
    organisation_settings_update,
)
from recouvre.tenancy.domain.services import role_allows, role_of
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


def _zone_label(zone: str) -> str:
    return str(dict(HOLIDAYS_ZONES).get(zone, zone))


def _address_calendar(organisation: Any) -> Calendar:
    return calendar_for(organisation.country, organisation.postcode)


def _address_label(organisation: Any) -> str:
    return _("Selon l'adresse (%(zone)s)") % {"zone": _zone_label(zone_of(_address_calendar(organisation)))}


def _holidays_context(organisation: Any, zone: str) -> dict[str, Any]:
    calendar = (
        Calendar(*zone.split("-", 1)) if zone in dict(HOLIDAYS_ZONES) else _address_calendar(organisation)
    )
    year = paris_today().year
    return {
        "holidays_year": year,
        "holidays_zone_label": _zone_label(zone_of(calendar)),
        "holidays": public_holidays(calendar, year, get_language() or "fr"),
    }


def _recorder(request: HttpRequest) -> Callable[..., Any]:
    """The audit recorder handed to the tenancy services, with where the change came from."""
    return partial(audit_record, path=request.path, ip=client_ip(request))


def _page(request: HttpRequest, section: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    role = request.role  # type: ignore[attr-defined]
    context |= {
        "section": section,
        "can_admin": role_allows(role, ADMIN),
        "can_manage": role_allows(role, MANAGER),
    }
    return render(request, f"backoffice/settings/{section}.html", context, status=status)


def _save(request: HttpRequest, form: forms.Form, changes: dict[str, Any]) -> bool:
    """Calls the service; its refusals become errors next to the fields."""
    try:
        diff = organisation_settings_update(
            organisation=request.organisation,  # type: ignore[attr-defined]
            changes=changes,
            actor=request.user,
            audit=_recorder(request),
        )
    except ValidationError as exc:
        put_errors(form, exc.message_dict)
        return False
    if diff:
        messages.success(request, _("Paramètres enregistrés."))
    else:
        messages.info(request, _("Aucune modification."))
    return True


def _edit(
    request: HttpRequest, section: str, form_class: type[forms.Form], initial: dict[str, Any]
) -> HttpResponse:
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid() and _save(request, form, dict(form.cleaned_data)):
            return redirect("backoffice:settings")
        return _page(request, section, {"form": form}, status=400)
    return _page(request, section, {"form": form_class(initial=initial)})


@membership_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    typed = organisation_settings(organisation)
    zone = typed.holidays_zone
    return _page(
        request,
        "overview",
        {
            "organisation": organisation,
            "typed": typed,
            "iban": " ".join(organisation.iban[i : i + 4] for i in range(0, len(organisation.iban), 4)),
            "zone_label": _zone_label(zone) if zone else _address_label(organisation),
            "members": members_of(organisation),
        },
    )


@role_required(ADMIN)
def identity(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    typed = organisation_settings(organisation)
    initial = {f: getattr(organisation, f) for f in ("name", "siren", "address", "postcode", "city")}
    return _edit(
        request, "identity", IdentityForm, initial | {"phone": typed.phone, "signature": typed.signature}
    )


@role_required(ADMIN)
def bank(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    return _edit(request, "bank", BankForm, {"iban": organisation.iban, "bic": organisation.bic})


@role_required(ADMIN)
def sender(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    typed = organisation_settings(organisation)
    return _edit(
        request, "sender", SenderForm, {"email": organisation.email, "sender_email": typed.sender_email}
    )


@role_required(MANAGER)
def contact(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    typed = organisation_settings(organisation)
    label = _address_label(organisation)
    if request.method == "POST":
        form = ContactForm(request.POST, address_label=label)
        if form.is_valid() and _save(request, form, dict(form.cleaned_data)):
            return redirect("backoffice:settings")
        zone = str(form.data.get("holidays_zone", ""))
        return _page(request, "contact", {"form": form, **_holidays_context(organisation, zone)}, status=400)
    rules = typed.contact
    initial = {
        "contact_start": rules.contact_start,
        "contact_end": rules.contact_end,
        "plan_at": rules.plan_at,
        "cap_per_day": rules.cap_per_day,
        "cap_per_week": rules.cap_per_week,
        "holidays_zone": typed.holidays_zone,
    }
    form = ContactForm(initial=initial, address_label=label)
    return _page(request, "contact", {"form": form, **_holidays_context(organisation, typed.holidays_zone)})


@role_required(MANAGER)
def law(request: HttpRequest) -> HttpResponse:
    typed = organisation_settings(request.organisation).law  # type: ignore[attr-defined]
    initial = {
        "interest_first": typed.interest_first,
        "contractual_rate": typed.contractual_rate,
        "divisor": typed.divisor,
    }
    return _edit(request, "law", LawForm, initial)


@role_required(MANAGER)
def plans(request: HttpRequest) -> HttpResponse:
    """What a payment plan may be without a manager's approval, and when a missed instalment breaks it."""
    rules = organisation_settings(request.organisation).plans  # type: ignore[attr-defined]
    return _edit(request, "plans", PlansForm, dataclasses.asdict(rules))


@role_required(ADMIN)
def agency(request: HttpRequest) -> HttpResponse:
    """An agency organisation writes for a client creditor: its name and address go on every letter
    (CPCE R124-4 2°); the compliance check refuses a letter without them."""
    organisation = request.organisation  # type: ignore[attr-defined]
    if not organisation.is_agency:
        raise Http404
    client = agency_client_read(organisation.settings)
    initial = {"client_name": client.name, "client_address": "\n".join(client.address_lines)}
    return _edit(request, "agency", AgencyForm, initial)


@membership_required
@require_GET
def holidays_preview(request: HttpRequest) -> HttpResponse:
    """The holidays a zone means this year: the contact page refreshes it as the zone changes."""
    zone = request.GET.get("holidays_zone", "")
    context = _holidays_context(request.organisation, zone)  # type: ignore[attr-defined]
    return render(request, "backoffice/settings/_holidays.html", context)


def _members_page(request: HttpRequest, invite: InviteForm | None = None, status: int = 200) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    return _page(
        request,
        "members",
        {
            "members": members_of(organisation),
            "invite_form": invite or InviteForm(),
            "roles": Role.choices,
        },
        status=status,
    )


@role_required(ADMIN)
def members(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _members_page(request)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            member_invite(
                organisation=request.organisation,  # type: ignore[attr-defined]
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                actor=request.user,
                audit=_recorder(request),
            )
        except ValidationError as exc:
            put_errors(form, exc.message_dict)
        else:
            messages.success(
                request, _("Invitation envoyée à %(email)s.") % {"email": form.cleaned_data["email"]}
            )
            return redirect("backoffice:settings-members")
    return _members_page(request, form, status=400)


@role_required(ADMIN)
@require_POST
def member_role(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        membership = membership_role_change(
            organisation=request.organisation,  # type: ignore[attr-defined]
            membership_id=pk,
            role=request.POST.get("role", ""),
            actor=request.user,
            audit=_recorder(request),
        )
    except MembershipNotFound:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        role = Role(membership.role).label
        messages.success(request, _("%(email)s : %(role)s.") % {"email": membership.user.email, "role": role})
    return redirect(_after_member_change(request))


@role_required(ADMIN)
@require_POST
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        email = membership_remove(
            organisation=request.organisation,  # type: ignore[attr-defined]
            membership_id=pk,
            actor=request.user,
            audit=_recorder(request),
        )
    except MembershipNotFound:
        # Never here, or already removed by a second click: nothing to do either way.
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(email)s ne fait plus partie de l'organisation.") % {"email": email})
    return redirect(_after_member_change(request))


def _after_member_change(request: HttpRequest) -> str:
    # An admin who gave up their own admin role (or left) can no longer see the members page.
    still_admin = role_allows(role_of(request.user, request.organisation), ADMIN)  # type: ignore[arg-type,attr-defined]
    return "backoffice:settings-members" if still_admin else "backoffice:home"


urls: list[URLPattern] = [
    path("settings/", overview, name="settings"),
    path("settings/identity/", identity, name="settings-identity"),
    path("settings/bank/", bank, name="settings-bank"),
    path("settings/sender/", sender, name="settings-sender"),
    path("settings/contact/", contact, name="settings-contact"),
    path("settings/contact/holidays/", holidays_preview, name="settings-holidays"),
    path("settings/law/", law, name="settings-law"),
    path("settings/plans/", plans, name="settings-plans"),
    path("settings/agency/", agency, name="settings-agency"),
    path("settings/members/", members, name="settings-members"),
    path("settings/members/<int:pk>/role/", member_role, name="settings-member-role"),
    path("settings/members/<int:pk>/remove/", member_remove, name="settings-member-remove"),
]
