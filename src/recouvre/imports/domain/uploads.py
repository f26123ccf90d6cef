"""Files uploaded for import: kept where the worker (another process) can read them, queued as an
ImportBatch, run now or by the worker; and the organisation's saved column mappings.

How far a running import has read is written to a small file next to the upload, not to the
database: the import is one transaction, and on SQLite that transaction holds the only write lock
until it ends, so no other connection could record progress; a reader would not see uncommitted
progress on PostgreSQL either. The web page reads the file while the batch is running."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_scopes import scope

from recouvre.audit.domain.context import acting_through, current_channel
from recouvre.audit.domain.services import audit_record
from recouvre.audit.enums import AuditAction
from recouvre.imports.domain.column_mapping import mapping_problems
from recouvre.imports.domain.services import ImportReport, invoices_import
from recouvre.imports.enums import ImportStatus
from recouvre.imports.models import ColumnMapping, ImportBatch

log = logging.getLogger(__name__)

PROGRESS_SUFFIX = ".progress"


class MappingRefused(ValueError):
    pass


@dataclass(frozen=True)
class StoredUpload:
    path: Path
    size: int
    lines: int  # records after the header, counted by line breaks (a quoted cell may hold more)


def upload_folder() -> Path:
    folder = Path(settings.DATA_DIR) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def upload_store(chunks: Iterable[bytes]) -> StoredUpload:
    """Writes the upload under the data directory with a name nobody can guess."""
    path = upload_folder() / f"{uuid.uuid4()}.csv"
    size = breaks = 0
    last = b""
    with path.open("wb") as out:
        for chunk in chunks:
            out.write(chunk)
            size += len(chunk)
            breaks += chunk.count(b"\n")
            last = chunk[-1:] or last
    lines = breaks + (1 if size and last != b"\n" else 0)
    return StoredUpload(path=path, size=size, lines=max(lines - 1, 0))


def import_queue(
    *,
    organisation: Any,
    upload: StoredUpload,
    file_name: str,
    mapping: dict[str, str],
    dry_run: bool,
    complete: bool,
    actor: Any,
) -> tuple[ImportBatch, bool]:
    """A batch waiting to be run for this upload. Asking again for the same upload, mapping and
    options returns the batch already made (a second click imports nothing twice)."""
    with transaction.atomic():
        for batch in ImportBatch.objects.filter(upload_path=str(upload.path), dry_run=dry_run):
            if batch.column_mapping == mapping and batch.complete == complete:
                return batch, False
        batch = ImportBatch.objects.create(
            organisation=organisation,
            file_name=file_name[:255],
            status=ImportStatus.QUEUED,
            complete=complete,
            dry_run=dry_run,
            upload_path=str(upload.path),
            channel=current_channel(),
            column_mapping=mapping,
            total_lines=upload.lines,
            created_by=actor,
        )
        _audit_queued(batch, actor)
    return batch, True


def import_from_dry_run(*, dry_run_batch: ImportBatch, actor: Any) -> tuple[ImportBatch, bool]:
    """The real import of a file whose dry run was read: same upload, same mapping, same options."""
    if dry_run_batch.status != ImportStatus.DRY_RUN or not dry_run_batch.upload_path:
        raise ValueError("only a finished dry run without errors can be imported")
    with transaction.atomic():
        done = ImportBatch.objects.filter(upload_path=dry_run_batch.upload_path, dry_run=False)
        for batch in done:
            if batch.column_mapping == dry_run_batch.column_mapping:
                return batch, False
        batch = ImportBatch.objects.create(
            organisation=dry_run_batch.organisation,
            file_name=dry_run_batch.file_name,
            status=ImportStatus.QUEUED,
            complete=dry_run_batch.complete,
            dry_run=False,
            upload_path=dry_run_batch.upload_path,
            column_mapping=dry_run_batch.column_mapping,
            total_lines=dry_run_batch.total_lines,
            channel=current_channel(),
            created_by=actor,
        )
        _audit_queued(batch, actor)
    return batch, True


def _audit_queued(batch: ImportBatch, actor: Any) -> None:
    # The import service audits the import itself; this records who asked for it, with what.
    audit_record(
        organisation=batch.organisation,
        actor=actor,
        action=AuditAction.CREATE,
        object_type="import_batch",
        object_id=batch.pk,
        changes={
            "file": batch.file_name,
            "stored_as": Path(batch.upload_path).name,
            "dry_run": batch.dry_run,
            "complete": batch.complete,
            "mapping": batch.column_mapping,
        },
    )


def progress_path(batch: ImportBatch) -> Path | None:
    return Path(batch.upload_path + PROGRESS_SUFFIX) if batch.upload_path else None


def progress_read(batch: ImportBatch) -> int:
    """Lines read so far by a running import (0 when none is running)."""
    path = progress_path(batch)
    if path is None:
        return 0
    try:
        return int(path.read_text())
    except (OSError, ValueError):
        return 0


def _progress_writer(path: Path) -> Any:
    def write(lines: int) -> None:
        # Replaced whole, so a reader never sees a half-written number.
        temporary = path.with_name(path.name + ".tmp")
        try:
            temporary.write_text(str(lines))
            os.replace(temporary, path)
        except OSError:
            log.warning("could not write import progress to %s", path, exc_info=True)

    return write


def import_batch_run(batch_id: int, today: date) -> ImportReport:
    """Runs a queued batch: what the worker does, and the web for a small file."""
    batch = (
        ImportBatch.objects.with_scopes_disabled()
        .select_related("organisation", "created_by")
        .get(pk=batch_id)
    )
    if not Path(batch.upload_path).is_file():
        # Removed from the data directory since it was queued: say so rather than stay queued.
        ImportBatch.objects.with_scopes_disabled().filter(pk=batch.pk).update(
            status=ImportStatus.FAILED,
            finished_at=timezone.now(),
            errors=[{"line": None, "column": "", "message": "the uploaded file is no longer available"}],
            error_count=1,
        )
        raise FileNotFoundError(batch.upload_path)
    progress = progress_path(batch)
    try:
        with (
            scope(organisation=batch.organisation),
            acting_through(batch.channel or "system"),
            Path(batch.upload_path).open("rb") as stream,
        ):
            return invoices_import(
                organisation=batch.organisation,
                stream=stream,
                file_name=batch.file_name,
                actor=batch.created_by,
                today=today,
                dry_run=batch.dry_run,
                complete=batch.complete,
                batch=batch,
                mapping=batch.column_mapping or None,
                progress=_progress_writer(progress) if progress else None,
            )
    finally:
        if progress:
            progress.unlink(missing_ok=True)


def column_mapping_save(
    *, organisation: Any, name: str, columns: dict[str, str], actor: Any
) -> ColumnMapping:
    """Saves (or replaces, by name) one of the organisation's column mappings."""
    name = name.strip()
    if not name:
        raise MappingRefused("a mapping needs a name")
    problems = mapping_problems(columns)
    if problems:
        raise MappingRefused("; ".join(problems))
    with transaction.atomic():
        mapping, created = ColumnMapping.objects.update_or_create(
            organisation=organisation,
            name=name[:100],
            defaults={"columns": columns, "created_by": actor},
        )
        audit_record(
            organisation=organisation,
            actor=actor,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            object_type="column_mapping",
            object_id=mapping.pk,
            changes={"name": mapping.name, "columns": columns},
        )
    return mapping


def column_mapping_delete(*, organisation: Any, mapping: ColumnMapping, actor: Any) -> None:
    """Forgets a saved mapping; the batches read with it keep their own copy."""
    with transaction.atomic():
        pk, name = mapping.pk, mapping.name
        deleted, _ = ColumnMapping.objects.filter(pk=pk).delete()
        if deleted:
            audit_record(
                organisation=organisation,
                actor=actor,
                action=AuditAction.DELETE,
                object_type="column_mapping",
                object_id=pk,
                changes={"name": name},
            )
