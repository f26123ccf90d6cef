"""Back-office pages: invoice imports (issue 4). Upload a CSV, check how its columns are read (a
mapping for files that do not use the canonical names, saved per organisation) on a preview of the
first lines, import it (now for a small file, by the worker with a progress bar for a large one),
then read the batch's report line by line. Everyone reads the history; a manager imports.

The upload waiting for its mapping is known to the session only: a file nobody confirms leaves no
batch in the history."""

from __future__ import annotations

import csv
import io
import logging
import uuid
from pathlib import Path
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from recouvre.backoffice.views.access import (
    MANAGER,
    membership_required,
    paris_today,
    role_required,
)
from recouvre.backoffice.views.import_forms import MappingForm, UploadForm
from recouvre.imports.domain.column_mapping import (
    IGNORE,
    SavedMapping,
    header_key,
    missing_required,
    suggest_mapping,
)
from recouvre.imports.domain.csv_reader import COLUMNS, FileRefused, read_sample
from recouvre.imports.domain.preview import Preview, preview_lines
from recouvre.imports.domain.uploads import (
    MappingRefused,
    StoredUpload,
    column_mapping_delete,
    column_mapping_save,
    import_batch_run,
    import_from_dry_run,
    import_queue,
    progress_read,
    upload_store,
)
from recouvre.imports.enums import STATUS_LABELS, CsvColumn, ImportStatus
from recouvre.imports.models import ColumnMapping, ImportBatch
from recouvre.imports.tasks import invoices_import_task
from recouvre.tenancy.domain.services import role_allows

log = logging.getLogger(__name__)

PAGE_SIZE = 50
ERRORS_PAGE_SIZE = 50
# Up to this size the import runs while the page waits (a few seconds at most); a larger file goes
# to the worker and its page shows a progress bar.
WEB_SYNC_MAX_BYTES = 512 * 1024
SAMPLE_LINES = 3
SESSION_KEY = "imports_pending"
PENDING_KEPT = 10
RUNNING = (ImportStatus.QUEUED, ImportStatus.RUNNING)


def _pending(request: HttpRequest, token: uuid.UUID) -> dict[str, Any]:
    """The session's upload waiting for confirmation, in this organisation; anything else is 404."""
    entry = request.session.get(SESSION_KEY, {}).get(str(token))
    if not entry or entry.get("organisation") != request.organisation.pk:  # type: ignore[attr-defined]
        raise Http404
    if not Path(entry["path"]).is_file():
        raise Http404
    return dict(entry)


def _history(request: HttpRequest) -> dict[str, Any]:
    batches = ImportBatch.objects.select_related("created_by").order_by("-started_at", "-id")
    page = Paginator(batches, PAGE_SIZE).get_page(request.GET.get("page"))
    for batch in page:
        batch.status_label = STATUS_LABELS.get(batch.status, batch.status)
    return {
        "page": page,
        "can_import": role_allows(request.role, MANAGER),  # type: ignore[attr-defined]
        "mappings": list(ColumnMapping.objects.all()),
    }


@membership_required
@require_GET
def import_list(request: HttpRequest) -> HttpResponse:
    return render(request, "backoffice/imports/list.html", {**_history(request), "form": UploadForm()})


@role_required(MANAGER)
@require_http_methods(["GET", "POST"])
def import_new(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return redirect("backoffice:import-list")
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        stored = upload_store(upload.chunks())
        try:
            with stored.path.open("rb") as stream:
                read_sample(stream, SAMPLE_LINES)
        except FileRefused as exc:
            stored.path.unlink(missing_ok=True)
            form.add_error("file", _refusal(exc))
        else:
            token = str(uuid.uuid4())
            # The last few uploads only: an upload left unconfirmed is forgotten after a while.
            kept = list(request.session.get(SESSION_KEY, {}).items())[-(PENDING_KEPT - 1) :]
            pending = dict(kept)
            pending[token] = {
                "organisation": request.organisation.pk,  # type: ignore[attr-defined]
                "path": str(stored.path),
                "file_name": Path(upload.name or "import.csv").name[:255],
                "size": stored.size,
                "lines": stored.lines,
            }
            request.session[SESSION_KEY] = pending
            return redirect("backoffice:import-preview", token=token)
    context = {**_history(request), "form": form}
    return render(request, "backoffice/imports/list.html", context, status=400)


def _refusal(exc: FileRefused) -> str:
    """The reader's reason, and where."""
    if exc.line:
        return _("Fichier refusé (ligne %(line)s) : %(reason)s") % {"line": exc.line, "reason": exc}
    return _("Fichier refusé : %(reason)s") % {"reason": exc}


@role_required(MANAGER)
@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    entry = _pending(request, token)
    file_path = Path(entry["path"])
    try:
        with file_path.open("rb") as stream:
            sample = read_sample(stream, SAMPLE_LINES)
    except FileRefused as exc:
        return render(request, "backoffice/imports/refused.html", {"reason": _refusal(exc)}, status=400)
    saved = [SavedMapping(m.name, m.columns) for m in ColumnMapping.objects.all()]
    suggestion = suggest_mapping(sample.names, saved)
    status = 200
    if request.method == "POST":
        form = MappingForm(request.POST, headers=sample.names)
        valid = form.is_valid()
        if valid and request.POST.get("action") == "import":
            return _confirm(request, form, entry)
        status = 200 if valid or request.POST.get("action") != "import" else 400
        mapping = form.mapping() if valid else {}
    else:
        initial = {
            f"col_{i}": suggestion.columns.get(header_key(name), IGNORE)
            for i, name in enumerate(sample.names)
        }
        form = MappingForm(initial=initial, headers=sample.names)
        mapping = suggestion.columns
    preview = Preview()
    if mapping and not missing_required(mapping):
        with file_path.open("rb") as stream:
            preview = preview_lines(stream, _effective(mapping))
    canonical = all(header_key(name) in COLUMNS for name in sample.names if name)
    examples = [[row[i] if i < len(row) else "" for row in sample.rows] for i in range(len(sample.names))]
    context = {
        "entry": entry,
        "token": token,
        "form": form,
        "columns": list(zip(form.column_fields(), examples, strict=True)),
        "sample": sample,
        "suggestion": suggestion,
        "preview": preview,
        "background": entry["size"] > WEB_SYNC_MAX_BYTES,
        "canonical": canonical,
        "mapping_open": not canonical or bool(form.errors),
    }
    return render(request, "backoffice/imports/preview.html", context, status=status)


def _effective(mapping: dict[str, str]) -> dict[str, str]:
    """Only what changes how the file is read: a file in canonical names keeps an empty mapping."""
    return {source: column for source, column in mapping.items() if source != column}


def _confirm(request: HttpRequest, form: MappingForm, entry: dict[str, Any]) -> HttpResponse:
    mapping = form.mapping()
    name = form.cleaned_data.get("save_as", "").strip()
    if name:
        try:
            column_mapping_save(
                organisation=request.organisation,  # type: ignore[attr-defined]
                name=name,
                columns=mapping,
                actor=request.user,
            )
        except MappingRefused as exc:
            form.add_error("save_as", str(exc))
            return render(request, "backoffice/imports/refused.html", {"reason": str(exc)}, status=400)
    upload = StoredUpload(path=Path(entry["path"]), size=entry["size"], lines=entry["lines"])
    batch, created = import_queue(
        organisation=request.organisation,  # type: ignore[attr-defined]
        upload=upload,
        file_name=entry["file_name"],
        mapping=_effective(mapping),
        dry_run=form.cleaned_data["dry_run"],
        complete=form.cleaned_data["complete"],
        actor=request.user,
    )
    if created:
        _start(batch, upload.size)
    return redirect("backoffice:import-detail", pk=batch.pk)


def _start(batch: ImportBatch, size: int) -> None:
    today = paris_today()
    if size > WEB_SYNC_MAX_BYTES:
        invoices_import_task.enqueue(batch_id=batch.pk, today=today.isoformat())
        return
    try:
        import_batch_run(batch.pk, today)
    except Exception:
        # The service has rolled everything back and marked the batch failed; its page says so.
        log.exception("web import of batch %s failed", batch.pk)


def _batch(pk: int) -> ImportBatch:
    # The organisation scope makes another organisation's batch a plain 404.
    batch = get_object_or_404(ImportBatch.objects.select_related("created_by"), pk=pk)
    batch.status_label = STATUS_LABELS.get(batch.status, batch.status)
    return batch


def _progress_context(batch: ImportBatch) -> dict[str, Any]:
    read = progress_read(batch) if batch.status == ImportStatus.RUNNING else 0
    total = max(batch.total_lines, read)
    return {
        "batch": batch,
        "read": read,
        "total": total,
        "percent": (read * 100 // total) if total else 0,
    }


@membership_required
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(pk)
    sources = {column: source for source, column in batch.column_mapping.items() if column}
    errors = [{**error, "source": sources.get(error.get("column", ""), "")} for error in batch.errors]
    page = Paginator(errors, ERRORS_PAGE_SIZE).get_page(request.GET.get("page"))
    labels = dict(CsvColumn.choices)
    context = {
        **_progress_context(batch),
        "running": batch.status in RUNNING,
        "page": page,
        "unlisted": max(batch.error_count - len(batch.errors), 0),
        "mapping": [
            (source, column, labels.get(column, column)) for source, column in batch.column_mapping.items()
        ],
        "can_import": role_allows(request.role, MANAGER),  # type: ignore[attr-defined]
    }
    return render(request, "backoffice/imports/detail.html", context)


@membership_required
@require_GET
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(pk)
    # The status badge in the page's title follows too (queued → running).
    context = {**_progress_context(batch), "oob": bool(request.headers.get("HX-Request"))}
    response = render(request, "backoffice/imports/_progress.html", context)
    if batch.status not in RUNNING and request.headers.get("HX-Request"):
        # Finished: the whole page reloads to show the report.
        response["HX-Refresh"] = "true"
    return response


@membership_required
@require_GET
def import_errors_csv(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(pk)
    sources = {column: source for source, column in batch.column_mapping.items() if column}
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["line", "column", "file_column", "message"])
    for error in batch.errors:
        column = error.get("column", "")
        writer.writerow([error.get("line") or "", column, sources.get(column, column), error["message"]])
    if batch.error_count > len(batch.errors):
        writer.writerow(["", "", "", f"{batch.error_count - len(batch.errors)} more errors not listed"])
    # A byte-order mark so that French Excel opens the accents right.
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-errors.csv"'
    return response


@role_required(MANAGER)
@require_POST
def import_run(request: HttpRequest, pk: int) -> HttpResponse:
    """Imports for real a file whose dry run passed."""
    dry_run = _batch(pk)
    if dry_run.status != ImportStatus.DRY_RUN:
        return HttpResponseRedirect(reverse("backoffice:import-detail", kwargs={"pk": pk}))
    batch, created = import_from_dry_run(dry_run_batch=dry_run, actor=request.user)
    if created:
        size = Path(batch.upload_path).stat().st_size if Path(batch.upload_path).is_file() else 0
        _start(batch, size)
    return redirect("backoffice:import-detail", pk=batch.pk)


@role_required(MANAGER)
@require_POST
def column_mapping_remove(request: HttpRequest, pk: int) -> HttpResponse:
    # A second click finds nothing left to delete: a 404 would only confuse, so back to the list.
    mapping = ColumnMapping.objects.filter(pk=pk).first()
    if mapping is not None:
        column_mapping_delete(
            organisation=request.organisation,  # type: ignore[attr-defined]
            mapping=mapping,
            actor=request.user,
        )
    return redirect("backoffice:import-list")


urls: list[URLPattern] = [
    path("imports/", import_list, name="import-list"),
    path("imports/new/", import_new, name="import-new"),
    path("imports/new/<uuid:token>/", import_preview, name="import-preview"),
    path("imports/<int:pk>/", import_detail, name="import-detail"),
    path("imports/<int:pk>/progress/", import_progress, name="import-progress"),
    path("imports/<int:pk>/errors.csv", import_errors_csv, name="import-errors-csv"),
    path("imports/<int:pk>/import/", import_run, name="import-run"),
    path("imports/mappings/<int:pk>/delete/", column_mapping_remove, name="import-mapping-delete"),
]
