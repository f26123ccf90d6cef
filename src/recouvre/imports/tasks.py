"""Background entry points for imports: load by id, call the service, nothing else."""

from __future__ import annotations

from datetime import date
from typing import Any

from django_tasks import task


@task()
def invoices_import_task(batch_id: int, today: str) -> dict[str, Any]:
    """Imports an upload queued as an ImportBatch (status `queued`, `upload_path` set)."""
    from recouvre.imports.domain.uploads import import_batch_run

    return import_batch_run(batch_id, date.fromisoformat(today)).as_json()
