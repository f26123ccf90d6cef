"""Invoice imports: upload the canonical CSV (invoices-csv.md), queued for the worker or, for
small files, imported while the client waits; then read each batch's report."""

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import File, Form, Query, Router, Status, UploadedFile

from recouvre.api.auth import require_role
from recouvre.api.common import DEFAULT_LIMIT, audit, local_time, not_found, page, today
from recouvre.api.errors import FieldError
from recouvre.api.schemas.common import ERRORS, ErrorOut, Limit, Offset
from recouvre.api.schemas.imports import ImportOut, ImportPageOut, ImportQueuedOut, ImportReportOut
from recouvre.audit.enums import AuditAction
from recouvre.imports.domain.services import invoices_import
from recouvre.imports.enums import ImportStatus
from recouvre.imports.models import ImportBatch
from recouvre.imports.tasks import invoices_import_task
from recouvre.tenancy.enums import Role

router = Router(tags=["imports"])

# Above this, `wait=true` is refused: a request must not hold a web worker for a big file, which the
# background worker imports in chunks instead.
SYNC_MAX_BYTES = 5 * 1024 * 1024


def _summary(batch: ImportBatch) -> dict[str, Any]:
    return {
        "id": batch.pk,
        "file_name": batch.file_name,
        "status": batch.status,
        "complete": batch.complete,
        "lines": batch.lines,
        "created": batch.created,
        "updated": batch.updated,
        "unchanged": batch.unchanged,
        "settled": batch.settled,
        "error_count": batch.error_count,
        "created_by": batch.created_by.email if batch.created_by else None,
        "started_at": local_time(batch.started_at),
        "finished_at": local_time(batch.finished_at),
    }


def _store(upload: UploadedFile) -> Path:
    """Keeps the upload where the worker (another process) can read it."""
    folder = Path(settings.DATA_DIR) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4()}.csv"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return path


@router.post(
    "",
    response={
        200: ImportReportOut,
        201: ImportReportOut,
        202: ImportQueuedOut,
        422: ImportReportOut,
        413: ErrorOut,
    }
    | {k: v for k, v in ERRORS.items() if k != 422},
    summary="Upload an invoice CSV",
)
def import_create(
    request: HttpRequest,
    response: HttpResponse,
    file: File[UploadedFile],
    dry_run: Form[bool] = False,
    complete: Form[bool] = False,
    date: Form[dt.date | None] = None,
    wait: Query[bool] = False,
) -> Status[dict[str, Any]]:
    """Without `wait`, the file is queued: 202 with the batch id, whose report `GET /imports/{id}`
    gives once the worker has run it. With `wait=true` (files up to 5 MB) the import runs now and
    the answer is its report: 201 imported, 200 dry run, 422 refused (nothing written; `errors`
    lists each refused line and column). `complete=true` settles open invoices absent from the file;
    `date` is the import's "today" (default: today in Europe/Paris)."""
    who = require_role(request, Role.MANAGER)
    if wait and (file.size or 0) > SYNC_MAX_BYTES:
        raise FieldError(
            "file", f"larger than {SYNC_MAX_BYTES} bytes: upload it without wait=true", status=413
        )
    day = date or today()
    file_name = Path(file.name or "upload.csv").name[:255]
    path = _store(file)
    if wait:
        with path.open("rb") as stream:
            report = invoices_import(
                organisation=who.organisation,
                stream=stream,
                file_name=file_name,
                actor=who.user,
                today=day,
                dry_run=dry_run,
                complete=complete,
            )
        body = {**report.as_json(), "id": report.batch_id}
        counts = f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged"
        if not report.ok:
            body["detail"] = f"file refused, nothing was imported ({report.error_count} error(s))"
            return Status(422, body)
        body["detail"] = f"dry run, nothing written: {counts}" if dry_run else f"imported: {counts}"
        return Status(200 if dry_run else 201, body)
    batch = ImportBatch.objects.create(
        organisation=who.organisation,
        file_name=file_name,
        status=ImportStatus.QUEUED,
        complete=complete,
        dry_run=dry_run,
        upload_path=str(path),
        channel="api",
        created_by=who.user,
    )
    # The import service audits the import itself when the worker runs it; this entry records who
    # queued which file through the API, which the worker cannot know.
    audit(
        request,
        action=AuditAction.CREATE,
        object_type="import_batch",
        object_id=batch.pk,
        changes={"file": file_name, "stored_as": path.name, "dry_run": dry_run, "complete": complete},
    )
    invoices_import_task.enqueue(batch_id=batch.pk, today=day.isoformat())
    batch.refresh_from_db(fields=["status"])
    url = reverse("api:import_detail", kwargs={"batch_id": batch.pk})
    response["Location"] = url
    return Status(202, {"id": batch.pk, "status": batch.status, "url": url})


@router.get("", response={200: ImportPageOut, **ERRORS}, summary="List imports, newest first")
def import_list(
    request: HttpRequest,
    status: str = Query("", description="Only batches in this status"),
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> dict[str, Any]:
    batches = ImportBatch.objects.select_related("created_by").order_by("-started_at", "-id")
    if status:
        batches = batches.filter(status=status)
    count, rows = page(batches, limit, offset)
    return {"count": count, "limit": limit, "offset": offset, "items": [_summary(b) for b in rows]}


@router.get("/{int:batch_id}", response={200: ImportOut, **ERRORS}, summary="One import's report")
def import_detail(request: HttpRequest, batch_id: int) -> dict[str, Any]:
    batch = ImportBatch.objects.select_related("created_by").filter(pk=batch_id).first()
    if batch is None:
        raise not_found("import", str(batch_id))
    return {**_summary(batch), "warnings": batch.warnings, "errors": batch.errors}
