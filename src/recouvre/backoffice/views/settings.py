"""Back-office pages: the organisation's settings and its members (issue 4), how its penalties
are computed and payments imputed (issue 5), and the payment plans' rules (issue 6).

Any member reads the overview. An admin changes the legal identity and letterhead, the bank
details, the sender and the members (they commit the company); a manager changes the contact hours,
the caps, the holidays zone, the penalties settings and the plans' rules (they run the dunning).
The tenancy services check the same rights."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import get_language
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
from recouvre.backoffice.views.form_errors import put_errors
from recouvre.backoffice.views.settings_forms import (
    AgencyForm,
    BankForm,
    ContactForm,
    IdentityForm,
    InviteForm,
    LawForm,
    PlansForm,
    SenderForm,
)
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
from recouvre.tenancy.enums import Role


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
