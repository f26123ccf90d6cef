"""A person corrects a debtor's identity and contacts (the debtor page).

Values are checked and normalised exactly as the import does (`kernel.identifiers`: SIREN/SIRET by
Luhn, intra-EU VAT numbers by python-stdnum, phone numbers to E.164 in the debtor's country, emails),
so that the dunning engine reads one form whatever the source. Every change is a timeline event and
an audit entry with the values before and after; a save that changes nothing records nothing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from recouvre.audit.domain.services import audit_record
from recouvre.kernel.identifiers import (
    is_mobile_phone,
    normalise_country,
    normalise_email,
    normalise_phone,
    normalise_siren,
    normalise_vat,
)
from recouvre.ledger.enums import ContactKind, DebtorType, Language, Origin, Segment
from recouvre.ledger.models import Contact, Debtor
from recouvre.timeline.domain.services import event_record
from recouvre.timeline.enums import EventKind

IDENTITY_FIELDS = (
    "name",
    "debtor_type",
    "segment",
    "siren",
    "vat_number",
    "address",
    "postcode",
    "city",
    "country",
    "language",
)


class ContactInvalid(ValueError):
    """What a form shows next to each field: {field: message}."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


def identity_clean(values: Mapping[str, str]) -> dict[str, str]:
    """The identity fields normalised, or ContactInvalid with every problem found."""
    errors: dict[str, str] = {}
    clean = {field: (values.get(field) or "").strip() for field in IDENTITY_FIELDS}
    if not clean["name"]:
        errors["name"] = _("La raison sociale est obligatoire.")
    if clean["debtor_type"] not in DebtorType.values:
        errors["debtor_type"] = _("Type de débiteur inconnu.")
    if clean["segment"] and clean["segment"] not in Segment.values:
        errors["segment"] = _("Segment inconnu.")
    if clean["language"] not in Language.values:
        errors["language"] = _("Langue non prise en charge.")
    try:
        clean["country"] = normalise_country(clean["country"] or "FR")
    except ValueError:
        errors["country"] = _("Code pays ISO à deux lettres attendu (par exemple FR).")
    if clean["siren"]:
        try:
            clean["siren"] = normalise_siren(clean["siren"])
        except ValueError:
            errors["siren"] = _("SIREN invalide : 9 chiffres (ou un SIRET de 14) avec une clé correcte.")
    if clean["vat_number"]:
        try:
            clean["vat_number"] = normalise_vat(clean["vat_number"])
        except ValueError:
            errors["vat_number"] = _("Numéro de TVA intracommunautaire invalide.")
    if (
        clean["siren"]
        and clean["vat_number"].startswith("FR")
        and "siren" not in errors
        and "vat_number" not in errors
        and clean["vat_number"][4:] != clean["siren"]
    ):
        errors["vat_number"] = _("Ce numéro de TVA ne correspond pas au SIREN.")
    if (
        clean["country"] == "FR"
        and clean["postcode"]
        and not (len(clean["postcode"]) == 5 and clean["postcode"].isdigit())
    ):
        errors["postcode"] = _("Un code postal français a 5 chiffres.")
    if errors:
        raise ContactInvalid(errors)
    return clean


def contact_clean(kind: str, value: str, country: str) -> tuple[str, bool]:
    """(normalised value, is_mobile) or ContactInvalid on `value`."""
    if kind == ContactKind.EMAIL:
        try:
            return normalise_email(value), False
        except ValueError:
            raise ContactInvalid({"value": _("Adresse e-mail invalide.")}) from None
    if kind == ContactKind.PHONE:
        try:
            number = normalise_phone(value.strip(), country or "FR")
        except ValueError:
            raise ContactInvalid({"value": _("Numéro de téléphone invalide.")}) from None
        return number, is_mobile_phone(number)
    raise ContactInvalid({"kind": _("Type de contact inconnu.")})


def _record(
    organisation: Any, debtor: Debtor, actor: Any, *, kind: str, summary: str, changes: dict[str, Any]
) -> None:
    event_record(
        organisation=organisation,
        debtor_id=debtor.pk,
        kind=kind,
        actor=actor,
        summary=summary,
        data={"changes": changes},
    )
    audit_record(
        organisation=organisation,
        actor=actor,
        action="update",
        object_type="debtor",
        object_id=debtor.pk,
        debtor_id=debtor.pk,
        changes=changes,
    )


def debtor_identity_update(
    *, organisation: Any, debtor: Debtor, values: Mapping[str, str], actor: Any
) -> dict[str, list[str]]:
    """Writes the identity fields; returns {field: [before, after]} for those that changed."""
    clean = identity_clean(values)
    with transaction.atomic():
        locked = Debtor.objects.select_for_update().get(pk=debtor.pk)
        changes = {
            field: [getattr(locked, field), clean[field]]
            for field in IDENTITY_FIELDS
            if getattr(locked, field) != clean[field]
        }
        if not changes:
            return {}
        for field, (_before, after) in changes.items():
            setattr(locked, field, after)
            setattr(debtor, field, after)
        locked.save(update_fields=[*changes, "updated_at"])
        _record(
            organisation,
            locked,
            actor,
            kind=EventKind.DEBTOR_UPDATED,
            summary="Identité modifiée : " + ", ".join(changes),
            changes=changes,
        )
    return changes


def contact_add(
    *, organisation: Any, debtor: Debtor, kind: str, value: str, name: str, actor: Any
) -> Contact:
    """A new email or phone number; one already known for the debtor is returned as it is."""
    normalised, mobile = contact_clean(kind, value, debtor.country)
    name = name.strip()[:200]
    existing = Contact.objects.filter(debtor=debtor, kind=kind, value=normalised).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            contact = Contact.objects.create(
                organisation=organisation,
                debtor=debtor,
                kind=kind,
                value=normalised,
                name=name,
                is_mobile=mobile,
                origin=Origin.MANUAL,
            )
            _record(
                organisation,
                debtor,
                actor,
                kind=EventKind.CONTACT_CHANGED,
                summary=f"Contact ajouté : {normalised}",
                changes={"contact_id": contact.pk, "kind": kind, "value": [None, normalised]},
            )
    except IntegrityError:  # the same address added at the same moment by a second click
        return Contact.objects.get(debtor=debtor, kind=kind, value=normalised)
    return contact


def contact_update(*, organisation: Any, contact: Contact, value: str, name: str, actor: Any) -> Contact:
    """Corrects an address or number. The value is checked again, and a contact marked invalid (a
    bounce, a wrong number) becomes usable again: the person vouches for it."""
    debtor = contact.debtor
    normalised, mobile = contact_clean(contact.kind, value, debtor.country)
    name = name.strip()[:200]
    if (
        Contact.objects.filter(debtor=debtor, kind=contact.kind, value=normalised)
        .exclude(pk=contact.pk)
        .exists()
    ):
        raise ContactInvalid({"value": _("Ce contact existe déjà pour ce débiteur.")})
    changes: dict[str, Any] = {}
    if contact.value != normalised:
        changes["value"] = [contact.value, normalised]
    if contact.name != name:
        changes["name"] = [contact.name, name]
    if contact.invalid_since is not None:
        changes["invalid_since"] = [contact.invalid_since.isoformat(), None]
    if not changes:
        return contact
    with transaction.atomic():
        contact.value, contact.name, contact.is_mobile, contact.invalid_since = normalised, name, mobile, None
        contact.save(update_fields=["value", "name", "is_mobile", "invalid_since"])
        _record(
            organisation,
            debtor,
            actor,
            kind=EventKind.CONTACT_CHANGED,
            summary=f"Contact modifié : {normalised}",
            changes={"contact_id": contact.pk, "kind": contact.kind, **changes},
        )
    return contact


def contact_remove(*, organisation: Any, contact: Contact, actor: Any) -> None:
    debtor = contact.debtor
    with transaction.atomic():
        deleted, _rows = Contact.objects.filter(pk=contact.pk).delete()
        if not deleted:  # a second click: already gone
            return
        _record(
            organisation,
            debtor,
            actor,
            kind=EventKind.CONTACT_CHANGED,
            summary=f"Contact supprimé : {contact.value}",
            changes={"contact_id": contact.pk, "kind": contact.kind, "value": [contact.value, None]},
        )
