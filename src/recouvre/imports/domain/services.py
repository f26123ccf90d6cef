"""Importing the canonical invoice CSV: one file, one transaction, a line-by-line report."""

from __future__ import annotations

import gc
import hashlib
import itertools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any, BinaryIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from recouvre.audit.domain.context import current_channel
from recouvre.audit.domain.services import audit_record
from recouvre.imports.domain.csv_reader import FileRefused, read_csv
from recouvre.imports.domain.csv_rows import (
    DebtorCellsSeen,
    InvoiceLine,
    RowError,
    parse_line,
    payment_term_warning,
)
from recouvre.imports.domain.import_end import finish_import
from recouvre.imports.domain.import_state import ImportRun
from recouvre.imports.domain.invoice_rows import InvoiceWriter
from recouvre.imports.enums import ImportStatus
from recouvre.imports.models import ImportBatch
from recouvre.ledger.domain.balances import debtor_balances_touch

log = logging.getLogger(__name__)

# A file with more refused lines than this reports the first ones and counts the rest, so that a
# wholly wrong million-line file cannot exhaust memory with its own error report.
MAX_REPORTED_ERRORS = 10_000
MAX_WARNING_LINES = 20


@dataclass
class ImportReport:
    file_name: str
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    lines: int = 0
    settled: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    batch_id: int | None = None
    status: str = ImportStatus.RUNNING

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def as_json(self) -> dict[str, Any]:
        errors: list[dict[str, Any]] = [
            {"line": e.line, "column": e.column, "message": e.message} for e in self.errors
        ]
        if self.error_count > len(self.errors):
            errors.append(
                {
                    "line": None,
                    "column": "",
                    "message": f"{self.error_count - len(self.errors)} more errors not listed",
                }
            )
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "settled": self.settled,
            "lines": self.lines,
            "dry_run": self.dry_run,
            "status": self.status,
            "batch": self.batch_id,
            "warnings": self.warnings,
            "errors": errors,
        }


class _ErrorSink(list[RowError]):
    """Keeps the first errors and counts them all."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__()
        self.report = report

    def append(self, error: RowError) -> None:
        self.report.error_count += 1
        if len(self.report.errors) < MAX_REPORTED_ERRORS:
            self.report.errors.append(error)

    def extend(self, errors: Any) -> None:
        for error in errors:
            self.append(error)


class _Warnings:
    """Groups repeated warnings ("payment term … exceeds …") into one line listing where."""

    def __init__(self) -> None:
        self.lines: dict[str, list[int]] = {}
        self.counts: dict[str, int] = {}

    def add(self, message: str, line: int) -> None:
        self.counts[message] = self.counts.get(message, 0) + 1
        lines = self.lines.setdefault(message, [])
        if len(lines) < MAX_WARNING_LINES:
            lines.append(line)

    def render(self) -> list[str]:
        out = []
        for message, lines in self.lines.items():
            count = self.counts[message]
            where = ", ".join(str(n) for n in lines) + (
                f" and {count - len(lines)} more" if count > len(lines) else ""
            )
            out.append(f"line {where}: {message}" if count == 1 else f"lines {where}: {message}")
        return out


class _HashingStream:
    """Hashes the file as it is read, so its fingerprint costs no second pass."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.sha256 = hashlib.sha256()
        self.bytes = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._stream:
            self.sha256.update(chunk)
            self.bytes += len(chunk)
            yield chunk


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """A million-line import allocates tens of millions of short-lived, acyclic objects; CPython's
    default thresholds then run a full collection of the whole heap dozens of times (about a fifth of
    the import's time, measured). Collecting less often keeps memory bounded all the same."""
    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


class _Abandon(Exception):
    """Leaves the transaction so that it rolls back: refused lines, or a dry run."""


def invoices_import(
    *,
    organisation: Any,
    stream: BinaryIO,
    file_name: str,
    actor: Any,
    today: date,
    dry_run: bool = False,
    complete: bool = False,
    progress: Callable[[int], None] | None = None,
    batch: ImportBatch | None = None,
    mapping: dict[str, str] | None = None,
) -> ImportReport:
    """Imports the canonical CSV. Nothing of a refused file is written (one transaction); a dry run
    goes through every step, so its counts are the real ones, and rolls back. The batch row that
    reports the run is written before the transaction and kept in every case; pass one to fill a
    row created earlier (an upload queued for the worker). `mapping` renames the file's columns
    (column_mapping.py) before anything is read."""
    report = ImportReport(file_name=file_name, dry_run=dry_run)
    errors = _ErrorSink(report)
    warnings = _Warnings()
    hashing = _HashingStream(stream)
    if batch is None:
        batch = ImportBatch.objects.create(
            organisation=organisation,
            file_name=file_name,
            complete=complete,
            dry_run=dry_run,
            channel=current_channel(),
            created_by=actor,
            column_mapping=mapping or {},
        )
    else:
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.RUNNING)
    report.batch_id = batch.pk
    try:
        with _fewer_collections(), transaction.atomic():
            run = ImportRun(organisation=organisation, batch=batch, actor=actor, today=today)
            debtor_cells = DebtorCellsSeen()
            writer = InvoiceWriter(run)
            header, records = read_csv(hashing, mapping)  # type: ignore[arg-type]
            for name in header.unknown:
                report.warnings.append(f"unknown column {name!r} ignored")
            while chunk := list(itertools.islice(records, settings.IMPORT_CHUNK_SIZE)):
                report.lines += len(chunk)
                lines: list[InvoiceLine] = []
                for line_no, row in chunk:
                    parsed = parse_line(line_no, row, debtor_cells)
                    if isinstance(parsed, list):
                        errors.extend(parsed)
                        continue
                    lines.append(parsed)
                    warning = payment_term_warning(parsed)
                    if warning:
                        warnings.add(warning, line_no)
                writer.write(lines, errors)
                if progress:
                    progress(report.lines)
            if report.lines == 0:
                errors.append(RowError(1, "", "the file has a header but no invoice line"))
            report.settled = finish_import(run, complete=complete, errors=errors)
            report.created, report.updated = run.counters.created, run.counters.updated
            report.unchanged = run.counters.unchanged
            if header.encoding != "utf-8":
                report.warnings.append("the file was read as Windows-1252 (Latin-1), not UTF-8")
            report.warnings.extend(warnings.render())
            if not report.ok or dry_run:
                raise _Abandon
            report.status = ImportStatus.DONE
            # The portfolio's read model, exact at commit: the rows' `updated_at` is the import's start,
            # which a long import could leave behind the read model's own clock.
            debtor_balances_touch(organisation=organisation, today=today, debtor_ids=run.summaries)
            _close_batch(batch, report, hashing)
            audit_record(
                organisation=organisation,
                actor=actor,
                action="import",
                object_type="import_batch",
                object_id=batch.pk,
                changes={
                    "file": file_name,
                    "sha256": batch.sha256,
                    "created": report.created,
                    "updated": report.updated,
                    "settled": len(report.settled),
                },
            )
            return report
    except FileRefused as exc:
        errors.append(RowError(exc.line or 0, "", str(exc)))
    except _Abandon:
        pass
    except Exception:
        # Whatever went wrong is rolled back; the batch must not stay "running" for ever.
        log.exception("import %s (batch %s) failed", file_name, batch.pk)
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.FAILED, finished_at=timezone.now())
        raise
    if not report.ok:
        report.created = report.updated = report.unchanged = 0
        report.settled = []
    report.status = ImportStatus.DRY_RUN if report.ok else ImportStatus.REFUSED
    _close_batch(batch, report, hashing)
    return report


def _close_batch(batch: ImportBatch, report: ImportReport, hashing: _HashingStream) -> None:
    batch.status = report.status
    batch.lines = report.lines
    batch.created, batch.updated, batch.unchanged = report.created, report.updated, report.unchanged
    batch.settled = len(report.settled)
    batch.warnings = report.warnings[:200]
    batch.errors = [{"line": e.line, "column": e.column, "message": e.message} for e in report.errors[:1000]]
    batch.error_count = report.error_count
    batch.sha256 = hashing.sha256.hexdigest()
    batch.finished_at = timezone.now()
    batch.save()
