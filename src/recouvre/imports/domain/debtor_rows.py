"""Debtors and their contacts from the lines of one chunk: created on a debtor's first line, updated
by later lines' non-empty cells (an empty cell never erases), each change in the timeline."""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

from recouvre.common.bulk import insert_rows
from recouvre.imports.domain.csv_rows import DebtorFields, InvoiceLine, RowError
from recouvre.imports.domain.import_state import ImportRun
from recouvre.ledger.domain.contacts import IDENTITY_FIELDS
from recouvre.ledger.enums import ContactKind, DebtorType
from recouvre.ledger.models import Contact, Debtor
from recouvre.timeline.domain.services import events_insert
from recouvre.timeline.enums import EventKind

# The identity the import writes is the one a person edits on the debtor page.
DEBTOR_FIELDS = IDENTITY_FIELDS


# A new debtor's values before it is inserted; the defaults are the model's.
NEW_DEBTOR_DEFAULTS = {
    "debtor_type": DebtorType.B2B,
    "segment": "",
    "siren": "",
    "vat_number": "",
    "address": "",
    "postcode": "",
    "city": "",
    "country": "FR",
    "language": "fr",
}
INSERT_COLUMNS = (
    "organisation_id",
    "ref",
    *DEBTOR_FIELDS,
    "do_not_contact",
    "origin",
    "created_at",
    "updated_at",
)


def write_debtors(run: ImportRun, lines: Sequence[InvoiceLine], errors: list[RowError]) -> dict[str, Any]:
    """Returns the chunk's debtors by ref (model instances, or plain records for the new ones: only
    their `pk` and fields are read), creating and updating them as the lines say."""
    refs = {line.debtor.ref for line in lines}
    # Plain records, not model instances: a chunk reads thousands and updates few.
    debtors: dict[str, Any] = {
        row["ref"]: SimpleNamespace(pk=row.pop("id"), **row)
        for row in Debtor.objects.filter(ref__any=list(refs)).values("id", "ref", *DEBTOR_FIELDS)
    }
    new: dict[str, SimpleNamespace] = {}
    changes: dict[str, dict[str, list[Any]]] = {}
    for line in lines:
        fields = line.debtor
        debtor = debtors.get(fields.ref)
        if debtor is None:
            if fields.name is None:
                errors.append(
                    RowError(
                        line.line, "debtor_name", f"required on the first line of a new debtor ({fields.ref})"
                    )
                )
                continue
            debtor = SimpleNamespace(pk=None, ref=fields.ref, **NEW_DEBTOR_DEFAULTS, name=fields.name)
            debtors[fields.ref] = new[fields.ref] = debtor
        _merge_debtor(run, debtor, fields, changes.setdefault(fields.ref, {}) if debtor.pk else None)
    if new:
        org_id = run.organisation.pk
        insert_rows(
            Debtor._meta.db_table,
            INSERT_COLUMNS,
            (
                (
                    org_id,
                    d.ref,
                    *(getattr(d, name) for name in DEBTOR_FIELDS),
                    False,
                    run.origin,
                    run.db_now,
                    run.db_now,
                )
                for d in new.values()
            ),
        )
        for ref, pk in Debtor.objects.filter(ref__any=list(new)).values_list("ref", "id"):
            new[ref].pk = pk
    for ref, diff in changes.items():
        if diff:
            Debtor.objects.filter(pk=debtors[ref].pk).update(
                **{name: getattr(debtors[ref], name) for name in diff}, updated_at=run.now
            )
    events = [
        run.event(d.pk, EventKind.DEBTOR_CREATED, f"Débiteur {d.name} ({d.ref}) créé par l'import", {})
        for d in new.values()
    ]
    events += [
        run.event(
            debtors[ref].pk,
            EventKind.DEBTOR_UPDATED,
            "Coordonnées mises à jour par l'import : " + ", ".join(sorted(diff)),
            {"changes": diff},
        )
        for ref, diff in changes.items()
        if diff
    ]
    events_insert(events)
    return debtors


def _merge_debtor(
    run: ImportRun, debtor: Any, fields: DebtorFields, diff: dict[str, list[Any]] | None
) -> None:
    """A later line's non-empty cells win; an empty cell never erases a stored value."""
    for name in DEBTOR_FIELDS:
        value = getattr(fields, name)
        if value is None or getattr(debtor, name) == value:
            continue
        if diff is not None:
            old = diff[name][0] if name in diff else getattr(debtor, name)
            diff[name] = [old, value]
        setattr(debtor, name, value)


CONTACT_COLUMNS = (
    "organisation_id",
    "debtor_id",
    "kind",
    "value",
    "name",
    "is_mobile",
    "origin",
    "created_at",
)


def write_contacts(run: ImportRun, lines: Sequence[InvoiceLine], debtors: dict[str, Any]) -> None:
    """Adds the emails and phone numbers not yet known for each debtor; never removes one."""
    wanted: dict[tuple[int, str, str], bool] = {}
    for line in lines:
        debtor = debtors.get(line.debtor.ref)
        if debtor is None:
            continue
        for email in line.debtor.emails:
            wanted[(debtor.pk, ContactKind.EMAIL, email)] = False
        if line.debtor.phone:
            wanted.setdefault((debtor.pk, ContactKind.PHONE, line.debtor.phone), line.debtor.phone_is_mobile)
    if not wanted:
        return
    existing = set(
        Contact.objects.filter(debtor_id__any=list({key[0] for key in wanted})).values_list(
            "debtor_id", "kind", "value"
        )
    )
    org_id = run.organisation.pk
    insert_rows(
        Contact._meta.db_table,
        CONTACT_COLUMNS,
        [
            (org_id, debtor_id, kind, value, "", mobile, run.origin, run.db_now)
            for (debtor_id, kind, value), mobile in wanted.items()
            if (debtor_id, kind, value) not in existing
        ],
    )
