"""POST /imports (synchronous and queued) and the batch reports."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_scopes import scope, scopes_disabled
from django_tasks_db.models import DBTaskResult

from recouvre.api.tests.conftest import Api
from recouvre.audit.models import AuditEntry
from recouvre.imports.models import ImportBatch
from recouvre.ledger.models import Debtor, Invoice

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

VALID = (
    "invoice_number;debtor_ref;debtor_name;issue_date;due_date;amount;colour\n"
    "N-1;411NEW;Nouveau SAS;01/10/2026;31/10/2026;1 234,56;blue\n"
    "N-2;411NEW;;2026-11-01;2026-12-01;100.00;red\n"
)
REFUSED = (
    "invoice_number,debtor_ref,debtor_name,issue_date,due_date,amount\n"
    "R-1,411R,Refusé SA,2026-10-01,2026-10-31,100.00\n"
    "R-2,411R,,2026-10-01,2026-09-30,12.345\n"
)


def upload(text: str, name: str = "factures.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def invoice_numbers(org):
    with scope(organisation=org):
        return sorted(Invoice.objects.values_list("number", flat=True))


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_synchronous_upload_imports_and_reports(organisation, api):
    response = api.post("/imports?wait=true", data={"file": upload(VALID), "date": "2026-11-22"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["created"], body["updated"], body["lines"], body["errors"]) == (
        "done",
        2,
        0,
        2,
        [],
    )
    assert body["warnings"] == ["unknown column 'colour' ignored"]
    assert body["detail"] == "imported: 2 created, 0 updated, 0 unchanged"
    assert invoice_numbers(organisation) == ["N-1", "N-2"]
    with scope(organisation=organisation):
        assert str(Invoice.objects.get(number="N-1").amount) == "1234.56"
        batch = ImportBatch.objects.get(pk=body["id"])
        assert (batch.status, batch.file_name, batch.created_by.email) == (
            "done",
            "factures.csv",
            "manager@acme-industrie.example",
        )
    entry = AuditEntry.objects.with_scopes_disabled().get(action="import", object_type="import_batch")
    assert (entry.object_id, entry.channel) == (str(body["id"]), "api")
    again = api.post("/imports?wait=true", data={"file": upload(VALID)}).json()
    assert (again["created"], again["unchanged"]) == (0, 2)


def test_refused_file_reports_line_column_message_and_writes_nothing(organisation, api):
    response = api.post("/imports?wait=true", data={"file": upload(REFUSED)})
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["status"] == "refused"
    assert "nothing was imported" in body["detail"]
    assert body["created"] == 0
    assert {e["line"] for e in body["errors"]} == {3}
    assert {e["column"] for e in body["errors"]} == {"amount", "due_date"}
    assert all(e["message"] for e in body["errors"])
    assert invoice_numbers(organisation) == []
    with scope(organisation=organisation):
        assert not Debtor.objects.exists()
    detail = api.get(f"/imports/{body['id']}").json()
    assert detail["status"] == "refused"
    assert detail["errors"] == body["errors"]


def test_dry_run_validates_without_writing(organisation, api):
    response = api.post("/imports?wait=true", data={"file": upload(VALID), "dry_run": "true"})
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["created"]) == ("dry_run", 2)
    assert invoice_numbers(organisation) == []


def test_queued_upload_runs_in_the_worker(organisation, api, immediate_tasks, tmp_path):
    response = api.post("/imports", data={"file": upload(VALID), "date": "2026-11-22"})
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["url"] == f"/api/v1/imports/{body['id']}"
    assert response["Location"] == body["url"]
    assert [p.suffix for p in (tmp_path / "uploads").iterdir()] == [".csv"]
    report = api.get(f"/imports/{body['id']}").json()
    assert (report["status"], report["created"], report["file_name"]) == ("done", 2, "factures.csv")
    assert report["warnings"] == ["unknown column 'colour' ignored"]
    assert invoice_numbers(organisation) == ["N-1", "N-2"]


def test_queued_upload_with_the_database_backend_waits_for_a_worker(organisation, api, tmp_path):
    response = api.post("/imports", data={"file": upload(VALID), "complete": "true"})
    assert response.status_code == 202, response.content
    batch_id = response.json()["id"]
    assert response.json()["status"] == "queued"
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["kwargs"]["batch_id"] == batch_id
    assert invoice_numbers(organisation) == []
    with scopes_disabled():
        batch = ImportBatch.objects.get(pk=batch_id)
    assert (batch.complete, batch.dry_run, batch.channel) == (True, False, "api")
    assert batch.upload_path.startswith(str(tmp_path / "uploads"))
    with scopes_disabled():
        entry = AuditEntry.objects.get(object_type="import_batch")
    assert (entry.action, entry.channel, entry.object_id) == ("create", "api", str(batch_id))
    assert entry.changes["file"] == "factures.csv"


def test_list_and_isolation_of_batches(organisation, other_organisation, api, make_key):
    first = api.post("/imports?wait=true", data={"file": upload(VALID, "one.csv")}).json()
    api.post("/imports?wait=true", data={"file": upload(REFUSED, "two.csv")})
    body = api.get("/imports").json()
    assert body["count"] == 2
    assert [b["file_name"] for b in body["items"]] == ["two.csv", "one.csv"]
    assert [b["file_name"] for b in api.get("/imports", status="refused").json()["items"]] == ["two.csv"]
    stranger = Api(Client(), make_key(other_organisation, "admin"))
    assert stranger.get("/imports").json()["count"] == 0
    assert stranger.get(f"/imports/{first['id']}").status_code == 404


def test_missing_file_is_422_naming_it(organisation, api):
    response = api.post("/imports?wait=true", data={"dry_run": "true"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"


def test_wait_is_refused_for_a_big_file(organisation, api, monkeypatch):
    from recouvre.api.routers import imports

    monkeypatch.setattr(imports, "SYNC_MAX_BYTES", 10)
    response = api.post("/imports?wait=true", data={"file": upload(VALID)})
    assert response.status_code == 413
    assert response.json()["errors"][0]["field"] == "file"
    with scopes_disabled():
        assert not ImportBatch.objects.exists()
