"""Background entry points for imports: load by id, call the service, nothing else."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django_scopes import scope
from django_tasks import task


@task()
def invoices_import_task(batch_id: int, today: str) -> dict[str, Any]:
    """Imports an upload queued as an ImportBatch (status `queued`, `upload_path` set)."""
    from recouvre.audit.domain.context import acting_through
    from recouvre.imports.domain.services import invoices_import
    from recouvre.imports.models import ImportBatch

    batch = (
        ImportBatch.objects.with_scopes_disabled()
        .select_related("organisation", "created_by")
        .get(pk=batch_id)
    )
    with (
        scope(organisation=batch.organisation),
        acting_through(batch.channel or "system"),
        Path(batch.upload_path).open("rb") as stream,
    ):
        report = invoices_import(
            organisation=batch.organisation,
            stream=stream,
            file_name=batch.file_name,
            actor=batch.created_by,
            today=date.fromisoformat(today),
            dry_run=batch.dry_run,
            complete=batch.complete,
            batch=batch,
        )
    return report.as_json()
