"""The background path: a queued import runs in the database-backed worker (django-tasks-db)."""

import pytest
from django.core.management import call_command
from django_scopes import scope
from django_tasks_db.models import DBTaskResult

from recouvre.audit.models import AuditEntry
from recouvre.imports.models import ImportBatch
from recouvre.imports.tasks import invoices_import_task
from recouvre.ledger.models import Invoice
from recouvre.tenancy.domain.services import system_user

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CSV = "invoice_number;debtor_ref;debtor_name;issue_date;due_date;amount\nF-1;411A;Alpha;2026-01-01;2026-02-01;10\n"


def test_queued_import_is_run_by_the_worker(organisation, tmp_path, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    path = tmp_path / "upload.csv"
    path.write_text(CSV)
    with scope(organisation=organisation):
        batch = ImportBatch.objects.create(
            organisation=organisation,
            file_name="upload.csv",
            status="queued",
            upload_path=str(path),
            channel="api",
            created_by=system_user(),
        )
    result = invoices_import_task.enqueue(batch_id=batch.pk, today="2026-11-22")
    assert DBTaskResult.objects.get(id=result.id).status == "READY"

    call_command("db_worker", batch=True, queue_name="*", startup_delay=False, reload=False, verbosity=0)

    assert DBTaskResult.objects.get(id=result.id).status == "SUCCESSFUL"
    with scope(organisation=organisation):
        batch.refresh_from_db()
        assert (batch.status, batch.created) == ("done", 1)
        assert Invoice.objects.get().number == "F-1"
        # The audit log says the import came through the API, though the worker ran it.
        assert AuditEntry.objects.get(object_type="import_batch", action="import").channel == "api"
