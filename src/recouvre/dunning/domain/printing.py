"""The day's print batch: every letter dispatched that day in one PDF (each starting on an odd
page) and a CSV for a mailing house, under DATA_DIR/print/<organisation>/<day>/. Rebuilt whole on
each pass, so a later approval on the same day joins the batch."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings

from recouvre.dunning.domain.scenario import POSTAL_CHANNELS
from recouvre.dunning.enums import ActionStatus
from recouvre.dunning.models import Action, PrintBatch
from recouvre.messaging.letters.batch import build_print_batch
from recouvre.messaging.letters.content import LetterContent, LetterInvoice, LetterTotals, Party


def letter_to_data(content: LetterContent) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    return plain(dataclasses.asdict(content))  # type: ignore[no-any-return]


def letter_from_data(data: dict[str, Any]) -> LetterContent:
    def day(value: str | None) -> date | None:
        return date.fromisoformat(value) if value else None

    def money(value: str | None) -> Decimal | None:
        return Decimal(value) if value is not None else None

    def party(value: dict[str, Any]) -> Party:
        return Party(**{**value, "address_lines": tuple(value["address_lines"])})

    fields = {f.name for f in dataclasses.fields(LetterContent)}
    values = {k: v for k, v in data.items() if k in fields}
    values.update(
        creditor=party(data["creditor"]),
        debtor=party(data["debtor"]),
        letter_date=day(data["letter_date"]),
        paragraphs=tuple(data["paragraphs"]),
        invoices=tuple(
            LetterInvoice(
                i["number"],
                date.fromisoformat(i["issue_date"]),
                date.fromisoformat(i["due_date"]),
                Decimal(i["amount"]),
                Decimal(i["open_amount"]),
            )
            for i in data["invoices"]
        ),
        totals=LetterTotals(**{k: money(v) for k, v in data["totals"].items()}),  # type: ignore[arg-type]
        deadline=day(data.get("deadline")),
    )
    return LetterContent(**values)


def print_batch_build(*, organisation: Any, day: date, now: datetime) -> PrintBatch | None:
    letters = list(
        Action.objects.filter(
            organisation=organisation,
            channel__in=sorted(POSTAL_CHANNELS),
            status=ActionStatus.DISPATCHED,
            scheduled_for=day,
        ).order_by("id")
    )
    if not letters:
        return None
    root = Path(settings.DATA_DIR)
    batch = build_print_batch(
        [(letter_from_data(a.letter), (root / a.document).read_bytes()) for a in letters], batch_date=day
    )
    folder = Path("print") / organisation.slug / day.isoformat()
    (root / folder).mkdir(parents=True, exist_ok=True)
    pdf_path, csv_path = folder / f"letters-{day}.pdf", folder / f"letters-{day}.csv"
    for path, write in (
        (pdf_path, lambda p: p.write_bytes(batch.pdf)),
        (csv_path, lambda p: p.write_text(batch.csv, encoding="utf-8")),
    ):
        partial = (root / path).with_suffix(".part")
        write(partial)
        partial.replace(root / path)
    row, _ = PrintBatch.objects.update_or_create(
        organisation=organisation,
        day=day,
        defaults={
            "pdf_path": str(pdf_path),
            "csv_path": str(csv_path),
            "letters": len(batch.letters),
            "pages": batch.page_count,
            "built_at": now,
        },
    )
    return row
