"""Changing an organisation's identity, bank details, sender, contact rules (issue 4) and how its
late-payment penalties are computed and payments imputed (issue 5), and the payment plans' rules
(issue 6).

Who may change what: an admin the legal identity, the letterhead, the bank details and the sender
(they commit the company in every letter); a manager the contact hours, the caps, the holidays zone,
the penalties settings and the payment plans' rules (they run the dunning). The service checks it
too, so that no interface can skip it.

Tenancy sits below the audit app in the layers, so the caller hands its audit recorder in
(`audit=audit_record`); the entry is written inside the same transaction as the change."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import time
from decimal import Decimal
from typing import Any

from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from recouvre.kernel.identifiers import format_phone, normalise_email, normalise_phone, normalise_siren
from recouvre.tenancy.domain.agency import AgencyClient, agency_client_read, agency_client_write
from recouvre.tenancy.domain.services import role_allows, role_of
from recouvre.tenancy.domain.settings import (
    MAX_DURATION_LIMIT,
    MAX_FIRST_DELAY_LIMIT,
    MAX_GRACE_LIMIT,
    MAX_INSTALMENTS_LIMIT,
    LawSettings,
    OrganisationSettings,
    PlanRules,
    contact_rules_problems,
    law_settings_problems,
    plan_rules_problems,
    settings_read,
    settings_write,
    zone_is_well_formed,
)
from recouvre.tenancy.enums import Role
from recouvre.tenancy.models import Organisation

AuditRecorder = Callable[..., Any]

# Columns of Organisation an admin edits here.
MODEL_FIELDS = ("name", "siren", "address", "postcode", "city", "iban", "bic", "email")
# Keys of the typed settings; the contact rules live under settings["dunning"].
ADMIN_SETTING_FIELDS = ("phone", "signature", "sender_email")
CONTACT_FIELDS = ("plan_at", "contact_start", "contact_end", "cap_per_day", "cap_per_week")
# Under settings["law"].
LAW_FIELDS = ("interest_first", "contractual_rate", "divisor")
# Under settings["plans"].
PLAN_FIELDS = (
    "max_instalments",
    "min_instalment",
    "max_first_delay_days",
    "max_duration_months",
    "grace_days",
)
# A whole number each, with what a refusal of each one says.
PLAN_INT_CODES = {
    "max_instalments": "instalments_range",
    "max_first_delay_days": "delay_range",
    "max_duration_months": "duration_range",
    "grace_days": "grace_range",
}
MANAGER_FIELDS = (*CONTACT_FIELDS, "holidays_zone", *LAW_FIELDS, *PLAN_FIELDS)
# An agency organisation's client creditor (CPCE R124-4 2°), printed on its letters.
AGENCY_FIELDS = ("client_name", "client_address")
ADMIN_FIELDS = (*MODEL_FIELDS, *ADMIN_SETTING_FIELDS, *AGENCY_FIELDS)


def default_plan_at() -> time:
    return time.fromisoformat(django_settings.CYCLE_PLAN_AT)


def organisation_settings(organisation: Organisation) -> OrganisationSettings:
    """The typed settings other apps and pages read (same keys as the JSON)."""
    return settings_read(organisation.settings, default_plan_at=default_plan_at())


def required_role(fields: Mapping[str, Any] | tuple[str, ...]) -> str:
    return Role.ADMIN if any(name in ADMIN_FIELDS for name in fields) else Role.MANAGER


def _problem_text(code: str) -> str:
    return {
        "cap_range": _("Entre 1 et 3 messages par jour."),
        "week_range": _("Au moins autant que par jour, et au plus 7 messages sur 7 jours glissants."),
        "hours_order": _("La fin des heures de contact doit suivre leur début."),
        "rate_range": _("Un taux annuel supérieur à 0 et inférieur à 100 %, avec au plus 3 décimales."),
        "divisor": _("Le diviseur est 365 ou 360 jours."),
        "instalments_range": _("Entre 1 et %(max)s échéances.") % {"max": MAX_INSTALMENTS_LIMIT},
        "amount_range": _("Un montant supérieur à 0, avec au plus 2 décimales."),
        "delay_range": _("Entre 0 et %(max)s jours.") % {"max": MAX_FIRST_DELAY_LIMIT},
        "duration_range": _("Entre 1 et %(max)s mois.") % {"max": MAX_DURATION_LIMIT},
        "grace_range": _("Entre 0 et %(max)s jours.") % {"max": MAX_GRACE_LIMIT},
    }[code]


def _clean_identity(values: dict[str, Any], organisation: Organisation, errors: dict[str, str]) -> None:
    if "name" in values:
        values["name"] = str(values["name"]).strip()
        if not values["name"]:
            errors["name"] = _("Le nom est obligatoire.")
    if values.get("siren"):
        try:
            values["siren"] = normalise_siren(str(values["siren"]))
        except ValueError:
            errors["siren"] = _("Ce SIREN n'est pas valide (9 chiffres, clé de contrôle).")
    if values.get("postcode") and organisation.country == "FR":
        values["postcode"] = str(values["postcode"]).strip()
        if not (len(values["postcode"]) == 5 and values["postcode"].isdigit()):
            errors["postcode"] = _("Un code postal français a 5 chiffres.")
    for key in ("email", "sender_email"):
        if values.get(key):
            try:
                values[key] = normalise_email(str(values[key])).lower()
            except ValueError:
                errors[key] = _("Cette adresse e-mail n'est pas valide.")
    if values.get("phone"):
        try:
            values["phone"] = format_phone(normalise_phone(str(values["phone"]), organisation.country))
        except ValueError:
            errors["phone"] = _("Ce numéro de téléphone n'est pas valide.")


def _clean_bank(values: dict[str, Any], organisation: Organisation, errors: dict[str, str]) -> None:
    """IBAN checked by its key; the BIC derived from the IBAN when left empty, and when given,
    checked against the IBAN's bank (same bank, country and location; the branch may differ)."""
    from schwifty import BIC, IBAN
    from schwifty.exceptions import SchwiftyException

    iban_text = values.get("iban", organisation.iban)
    iban = None
    if "iban" in values and iban_text:
        try:
            iban = IBAN(str(iban_text))
            values["iban"] = str(iban.compact)
        except SchwiftyException:
            errors["iban"] = _("Cet IBAN n'est pas valide (clé de contrôle ou longueur).")
    if "bic" not in values or "iban" in errors:
        return
    derived = iban.bic if iban is not None else None
    if not values["bic"]:
        values["bic"] = str(derived.compact) if derived else ""
        return
    try:
        bic = BIC(str(values["bic"]))
    except SchwiftyException:
        errors["bic"] = _("Ce BIC n'est pas valide (8 ou 11 caractères).")
        return
    if derived is not None and str(bic.compact)[:8] != str(derived.compact)[:8]:
        errors["bic"] = _("Ce BIC n'est pas celui de la banque de l'IBAN (%(bic)s).") % {
            "bic": derived.compact
        }
        return
    values["bic"] = str(bic.compact)


def _new_settings(current: OrganisationSettings, values: dict[str, Any], errors: dict[str, str]) -> Any:
    contact = replace(current.contact, **{k: values[k] for k in CONTACT_FIELDS if k in values})
    for field, code in contact_rules_problems(contact).items():
        if field in values:
            errors[field] = _problem_text(code)
        else:
            errors[next(k for k in CONTACT_FIELDS if k in values)] = _problem_text(code)
    if not zone_is_well_formed(str(values.get("holidays_zone", ""))):
        errors["holidays_zone"] = _("Zone de jours fériés inconnue.")
    simple = {k: str(values[k] or "") for k in (*ADMIN_SETTING_FIELDS, "holidays_zone") if k in values}
    law = _new_law(current.law, values, errors)
    plans = _new_plans(current.plans, values, errors)
    return replace(current, contact=contact, law=law, plans=plans, **simple)


def _new_law(current: LawSettings, values: dict[str, Any], errors: dict[str, str]) -> LawSettings:
    changes: dict[str, Any] = {}
    if "interest_first" in values:
        changes["interest_first"] = bool(values["interest_first"])
    if "contractual_rate" in values:
        rate = values["contractual_rate"]
        if rate is None or rate == "":
            changes["contractual_rate"] = None
        else:
            try:
                changes["contractual_rate"] = Decimal(str(rate).strip().replace(",", "."))
            except ArithmeticError:
                errors["contractual_rate"] = _problem_text("rate_range")
    if "divisor" in values:
        try:
            changes["divisor"] = int(values["divisor"])
        except (TypeError, ValueError):
            errors["divisor"] = _problem_text("divisor")
    law = replace(current, **changes)
    for field, code in law_settings_problems(law).items():
        if field in changes:
            errors[field] = _problem_text(code)
    return law


def _new_plans(current: PlanRules, values: dict[str, Any], errors: dict[str, str]) -> PlanRules:
    changes: dict[str, Any] = {}
    for name in PLAN_INT_CODES:
        if name in values:
            value = values[name]
            try:
                if isinstance(value, bool):
                    raise ValueError
                changes[name] = int(str(value).strip())
            except (TypeError, ValueError):
                errors[name] = _problem_text(PLAN_INT_CODES[name])
    if "min_instalment" in values:
        try:
            changes["min_instalment"] = Decimal(str(values["min_instalment"]).strip().replace(",", "."))
        except ArithmeticError:
            errors["min_instalment"] = _problem_text("amount_range")
    plans = replace(current, **changes)
    for name, code in plan_rules_problems(plans).items():
        if name in changes:
            errors[name] = _problem_text(code)
    return plans


def _new_client(current: AgencyClient, values: dict[str, Any], errors: dict[str, str]) -> AgencyClient:
    if not any(field in values for field in AGENCY_FIELDS):
        return current
    name = str(values.get("client_name", current.name) or "").strip()
    address = values.get("client_address")
    lines = (
        tuple(line.strip() for line in str(address or "").splitlines() if line.strip())
        if "client_address" in values
        else current.address_lines
    )
    if not name:
        errors["client_name"] = _(
            "Le nom du créancier mandant est obligatoire : il figure sur chaque courrier."
        )
    if not lines:
        errors["client_address"] = _("L'adresse du créancier mandant est obligatoire (article R124-4).")
    return AgencyClient(name, lines)


def organisation_settings_update(
    *, organisation: Organisation, changes: Mapping[str, Any], actor: Any, audit: AuditRecorder
) -> dict[str, list[Any]]:
    """Applies `changes` (a subset of ADMIN_FIELDS and MANAGER_FIELDS) and returns what changed as
    {field: [before, after]}; saving the same values again changes and records nothing."""
    unknown = set(changes) - set(ADMIN_FIELDS) - set(MANAGER_FIELDS)
    if unknown:
        raise ValueError(f"not a setting: {', '.join(sorted(unknown))}")
    if not role_allows(role_of(actor, organisation), required_role(tuple(changes))):
        raise PermissionDenied
    values = dict(changes)
    errors: dict[str, str] = {}
    with transaction.atomic():
        # Locked so that a manager saving the caps and an admin saving the letterhead at the same
        # moment both keep their change in the one JSON column.
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        _clean_identity(values, locked, errors)
        _clean_bank(values, locked, errors)
        before = settings_read(locked.settings, default_plan_at=default_plan_at())
        after = _new_settings(before, values, errors)
        client_before = agency_client_read(locked.settings)
        client_after = _new_client(client_before, values, errors)
        if errors:
            raise ValidationError(errors)
        diff: dict[str, list[Any]] = {}
        for field in MODEL_FIELDS:
            if field in values and getattr(locked, field) != values[field]:
                diff[field] = [getattr(locked, field), values[field]]
                setattr(locked, field, values[field])
        for field in (*ADMIN_SETTING_FIELDS, "holidays_zone"):
            if getattr(before, field) != getattr(after, field):
                diff[field] = [getattr(before, field), getattr(after, field)]
        for field in CONTACT_FIELDS:
            old, new = getattr(before.contact, field), getattr(after.contact, field)
            if old != new:
                diff[field] = [_json(old), _json(new)]
        for field in LAW_FIELDS:
            old, new = getattr(before.law, field), getattr(after.law, field)
            if old != new:
                diff[field] = [_json(old), _json(new)]
        for field in PLAN_FIELDS:
            old, new = getattr(before.plans, field), getattr(after.plans, field)
            if old != new:
                diff[field] = [_json(old), _json(new)]
        if client_after != client_before:
            diff["client_name"] = [client_before.name, client_after.name]
            diff["client_address"] = [
                "\n".join(client_before.address_lines),
                "\n".join(client_after.address_lines),
            ]
        if not diff:
            return diff
        locked.settings = settings_write(locked.settings, after)
        if client_after != client_before:
            locked.settings = agency_client_write(locked.settings, client_after)
        locked.save()
        audit(
            organisation=locked,
            actor=actor,
            action="update",
            object_type="organisation",
            object_id=locked.pk,
            changes=diff,
        )
    for field in (*MODEL_FIELDS, "settings"):
        setattr(organisation, field, getattr(locked, field))
    return diff


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    return value.strftime("%H:%M") if isinstance(value, time) else value
