"""Debtors and their contacts from the lines of one chunk: created on a debtor's first line, updated
by later lines' non-empty cells (an empty cell never erases), each change in the timeline."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from recouvre.imports.domain.csv_rows import DebtorFields, InvoiceLine, RowError
from recouvre.imports.domain.import_state import ImportRun
from recouvre.kernel.identifiers import is_mobile_phone
from recouvre.ledger.enums import ContactKind, DebtorType
from recouvre.ledger.models import Contact, Debtor
from recouvre.timeline.domain.services import events_record_many
from recouvre.timeline.enums import EventKind

DEBTOR_FIELDS = (
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


def write_debtors(run: ImportRun, lines: Sequence[InvoiceLine], errors: list[RowError]) -> dict[str, Debtor]:
    refs = {line.debtor.ref for line in lines}
    debtors = {d.ref: d for d in Debtor.objects.filter(ref__in=refs)}
    new: dict[str, Debtor] = {}
    changes: dict[str, dict[str, list[Any]]] = {}
    for line in lines:
        fields = line.debtor
        debtor = debtors.get(fields.ref)
        if debtor is None:
            if fields.name is None:
                errors.append(
                    RowError(
                        line.line,
                        "debtor_name",
                        f"required on the first line of a new debtor ({fields.ref})",
                    )
                )
                continue
            debtor = Debtor(
                organisation=run.organisation, ref=fields.ref, name=fields.name, origin=run.origin
            )
            debtors[fields.ref] = new[fields.ref] = debtor
        _merge_debtor(run, debtor, fields, changes.setdefault(fields.ref, {}) if debtor.pk else None)
    if new:
        for debtor in new.values():
            debtor.debtor_type = debtor.debtor_type or DebtorType.B2B
        Debtor.objects.bulk_create(list(new.values()), batch_size=1000)
    changed = [debtors[ref] for ref, diff in changes.items() if diff]
    if changed:
        Debtor.objects.bulk_update(changed, [*list(DEBTOR_FIELDS), "updated_at"], batch_size=500)
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
    events_record_many(events)
    return debtors


def _merge_debtor(
    run: ImportRun, debtor: Debtor, fields: DebtorFields, diff: dict[str, list[Any]] | None
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
        debtor.updated_at = run.now


def write_contacts(run: ImportRun, lines: Sequence[InvoiceLine], debtors: dict[str, Debtor]) -> None:
    wanted: dict[tuple[int, str, str], bool] = {}
    for line in lines:
        debtor = debtors.get(line.debtor.ref)
        if debtor is None:
            continue
        for email in line.debtor.emails:
            wanted[(debtor.pk, ContactKind.EMAIL, email)] = False
        if line.debtor.phone:
            wanted.setdefault(
                (debtor.pk, ContactKind.PHONE, line.debtor.phone), is_mobile_phone(line.debtor.phone)
            )
    if not wanted:
        return
    existing = set(
        Contact.objects.filter(debtor_id__in={key[0] for key in wanted}).values_list(
            "debtor_id", "kind", "value"
        )
    )
    Contact.objects.bulk_create(
        [
            Contact(
                organisation=run.organisation,
                debtor_id=debtor_id,
                kind=kind,
                value=value,
                is_mobile=mobile,
                origin=run.origin,
            )
            for (debtor_id, kind, value), mobile in wanted.items()
            if (debtor_id, kind, value) not in existing
        ],
        batch_size=1000,
    )
