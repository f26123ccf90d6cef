"""Uploads for the back office: storing, queueing once, running with progress, saved mappings."""

import pytest
from django_scopes import scope

from recouvre.audit.models import AuditEntry
from recouvre.imports.domain import uploads
from recouvre.imports.models import ColumnMapping, ImportBatch
from recouvre.ledger.models import Invoice
from recouvre.tenancy.domain.services import system_user
from recouvre.testing.fixtures import TODAY

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

CSV = (
    "Facture,Client,Nom,Date,Échéance,TTC\n"
    "F-1,411A,Alpha,2026-01-01,2026-02-01,10\n"
    "F-2,411A,,2026-01-05,2026-02-05,20\n"
    "F-3,411B,Beta,2026-01-09,2026-02-09,30"
)
MAPPING = {
    "facture": "invoice_number",
    "client": "debtor_ref",
    "nom": "debtor_name",
    "date": "issue_date",
    "échéance": "due_date",
    "ttc": "amount",
}


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def test_the_upload_is_stored_and_its_lines_counted(data_dir):
    stored = uploads.upload_store([CSV[:30].encode(), CSV[30:].encode()])
    assert stored.path.parent == data_dir / "uploads"
    assert stored.path.read_text() == CSV
    assert (stored.size, stored.lines) == (len(CSV.encode()), 3)
    assert uploads.upload_store([b"a;b\n1;2\n"]).lines == 1


def test_the_import_service_reads_through_a_mapping(import_csv, organisation):
    report = import_csv(organisation, CSV, mapping=MAPPING)
    assert (report.ok, report.created, report.warnings) == (True, 3, [])
    with scope(organisation=organisation):
        assert ImportBatch.objects.get().column_mapping == MAPPING
        assert sorted(Invoice.objects.values_list("number", flat=True)) == ["F-1", "F-2", "F-3"]


def queue(organisation, stored, **options):
    with scope(organisation=organisation):
        return uploads.import_queue(
            organisation=organisation,
            upload=stored,
            file_name="export.csv",
            mapping=options.pop("mapping", MAPPING),
            dry_run=options.pop("dry_run", False),
            complete=False,
            actor=system_user(),
        )


def test_queueing_the_same_upload_twice_gives_the_same_batch(organisation):
    stored = uploads.upload_store([CSV.encode()])
    first, created = queue(organisation, stored)
    again, created_again = queue(organisation, stored)
    other, created_other = queue(organisation, stored, mapping={**MAPPING, "nom": ""})
    assert (created, created_again, created_other) == (True, False, True)
    assert again.pk == first.pk != other.pk
    assert (first.status, first.total_lines) == ("queued", 3)
    with scope(organisation=organisation):
        assert AuditEntry.objects.filter(object_type="import_batch", action="create").count() == 2


def test_running_a_batch_reports_progress_then_removes_it(organisation, settings, monkeypatch):
    settings.IMPORT_CHUNK_SIZE = 2
    stored = uploads.upload_store([CSV.encode()])
    batch, _ = queue(organisation, stored)
    seen = []
    writer = uploads._progress_writer

    def spying_writer(path):
        write = writer(path)

        def progress(lines):
            write(lines)
            seen.append(uploads.progress_read(ImportBatch(upload_path=str(stored.path))))

        return progress

    monkeypatch.setattr(uploads, "_progress_writer", spying_writer)
    report = uploads.import_batch_run(batch.pk, TODAY)
    assert (report.ok, report.created) == (True, 3)
    assert seen == [2, 3]
    assert not (stored.path.parent / (stored.path.name + ".progress")).exists()
    assert uploads.progress_read(batch) == 0


def test_a_dry_run_becomes_the_import_once(organisation):
    stored = uploads.upload_store([CSV.encode()])
    dry, _ = queue(organisation, stored, dry_run=True)
    assert uploads.import_batch_run(dry.pk, TODAY).created == 3
    with scope(organisation=organisation):
        dry.refresh_from_db()
        real, created = uploads.import_from_dry_run(dry_run_batch=dry, actor=None)
        again, created_again = uploads.import_from_dry_run(dry_run_batch=dry, actor=None)
        assert (created, created_again, real.pk) == (True, False, again.pk)
        assert (real.dry_run, real.column_mapping, real.upload_path) == (False, MAPPING, dry.upload_path)
        with pytest.raises(ValueError, match="dry run"):
            uploads.import_from_dry_run(dry_run_batch=real, actor=None)


def test_saving_a_mapping_by_name_replaces_it(organisation, in_scope):
    uploads.column_mapping_save(organisation=organisation, name=" Sage ", columns=MAPPING, actor=None)
    uploads.column_mapping_save(
        organisation=organisation, name="Sage", columns={**MAPPING, "nom": ""}, actor=None
    )
    saved = ColumnMapping.objects.get()
    assert (saved.name, saved.columns["nom"]) == ("Sage", "")
    actions = list(AuditEntry.objects.filter(object_type="column_mapping").values_list("action", flat=True))
    assert sorted(actions) == ["create", "update"]


@pytest.mark.parametrize(
    ("name", "columns", "message"),
    [
        ("", MAPPING, "needs a name"),
        ("Bad", {**MAPPING, "ttc": ""}, "required column\\(s\\) not mapped: amount"),
        ("Bad", {**MAPPING, "nom": "amount"}, "chosen twice: amount"),
    ],
)
def test_an_unusable_mapping_is_not_saved(organisation, in_scope, name, columns, message):
    with pytest.raises(uploads.MappingRefused, match=message):
        uploads.column_mapping_save(organisation=organisation, name=name, columns=columns, actor=None)
    assert not ColumnMapping.objects.exists()


def test_mappings_are_per_organisation(organisation, other_organisation):
    with scope(organisation=organisation):
        uploads.column_mapping_save(organisation=organisation, name="Sage", columns=MAPPING, actor=None)
    with scope(organisation=other_organisation):
        assert not ColumnMapping.objects.exists()
        # Same name, another organisation: allowed.
        uploads.column_mapping_save(organisation=other_organisation, name="Sage", columns=MAPPING, actor=None)
        assert ColumnMapping.objects.count() == 1


def test_progress_read_tolerates_no_file_and_garbage(organisation, data_dir):
    path = data_dir / "x.csv"
    batch = ImportBatch(upload_path=str(path))
    assert uploads.progress_read(batch) == 0
    (data_dir / "x.csv.progress").write_text("not a number")
    assert uploads.progress_read(batch) == 0
    assert uploads.progress_read(ImportBatch(upload_path="")) == 0


def test_a_batch_whose_file_is_gone_fails_with_a_reason(organisation):
    stored = uploads.upload_store([CSV.encode()])
    batch, _ = queue(organisation, stored)
    stored.path.unlink()
    with pytest.raises(FileNotFoundError):
        uploads.import_batch_run(batch.pk, TODAY)
    with scope(organisation=organisation):
        batch.refresh_from_db()
    assert (batch.status, batch.error_count) == ("failed", 1)
    assert batch.errors[0]["message"] == "the uploaded file is no longer available"
