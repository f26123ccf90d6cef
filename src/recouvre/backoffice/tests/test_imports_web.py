"""Imports in the back office: upload, column mapping and preview, import (now or by the worker,
with its progress), the report by line, the history; refusals of every kind."""

import re
import threading
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from recouvre.audit.models import AuditEntry
from recouvre.backoffice.tests.conftest import ACME_CSV
from recouvre.backoffice.views import imports as views
from recouvre.imports.domain import uploads
from recouvre.imports.models import ColumnMapping, ImportBatch
from recouvre.ledger.models import Invoice

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

FRENCH_CSV = (
    "N° facture;Code client;Raison sociale;Date facture;Date d'échéance;Montant TTC;Commentaire\n"
    "FR-1;411ALPHA;Alpha SARL;01/10/2026;31/10/2026;1 200,00;urgent\n"
    "FR-2;411ALPHA;;15/10/2026;14/11/2026;300,50;\n"
)


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return tmp_path


def upload(client, text, name="factures.csv"):
    data = text if isinstance(text, bytes) else text.encode()
    return client.post(reverse("backoffice:import-new"), {"file": SimpleUploadedFile(name, data)})


def preview_url(response):
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def mapping_post(response, **changes):
    """The preview form as the page filled it, with `changes`."""
    form = response.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data = {k: v for k, v in data.items() if v is not False}
    data.update(changes)
    return data


def invoices(organisation):
    with scope(organisation=organisation):
        return sorted(Invoice.objects.values_list("number", flat=True))


def batches(organisation):
    with scope(organisation=organisation):
        return list(ImportBatch.objects.order_by("id"))


def import_through_pages(client, text, **changes):
    url = preview_url(upload(client, text))
    page = client.get(url)
    return client.post(url, mapping_post(page, action="import", **changes))


# The history and the upload form


def test_the_list_shows_the_upload_form_and_this_organisations_history(signed_in, books):
    response = signed_in.get(reverse("backoffice:import-list"))
    page = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_file">Fichier CSV des factures</label>' in page
    assert 'enctype="multipart/form-data"' in page
    assert [b.organisation_id for b in response.context["page"]] == [books.pk]
    assert "test.csv" in page


@pytest.mark.parametrize("role", ["viewer", "agent"])
def test_other_roles_read_the_history_but_cannot_import(client, organisation, make_user, role):
    client.force_login(make_user(organisation, role))
    response = client.get(reverse("backoffice:import-list"))
    assert response.status_code == 200
    assert 'name="file"' not in response.content.decode()
    assert upload(client, ACME_CSV).status_code == 403
    assert batches(organisation) == []


# Upload, preview, import


def test_canonical_file_upload_preview_import(signed_in, organisation):
    url = preview_url(upload(signed_in, ACME_CSV))
    page = signed_in.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    # Each column of the file is read as itself; the first lines are shown as parsed.
    assert page.context["suggestion"].columns["invoice_number"] == "invoice_number"
    assert [row.line for row in page.context["preview"].rows] == [2, 3, 4, 5, 6]
    assert "1\xa0234,56" in html
    assert "30/09/2026" in html
    assert '<button type="submit" name="action" value="import">Importer</button>' in html
    # Standard names: the mapping is there, folded away.
    assert '<details class="import-mapping-details">' in html
    assert batches(organisation) == []  # nothing recorded before the confirmation

    done = signed_in.post(url, mapping_post(page, action="import"))
    batch = batches(organisation)[0]
    assert done["Location"] == reverse("backoffice:import-detail", args=[batch.pk])
    assert (batch.status, batch.created, batch.lines, batch.channel) == ("done", 5, 5, "web")
    assert batch.column_mapping == {}
    assert invoices(organisation) == ["F-2026-001", "F-2026-002", "F-2026-003", "F-2026-004", "F-2026-010"]
    report = signed_in.get(done["Location"]).content.decode()
    assert "Le fichier a été importé." in report
    with scope(organisation=organisation):
        entries = AuditEntry.objects.filter(object_type="import_batch", object_id=str(batch.pk))
        assert sorted(entries.values_list("action", "channel")) == [("create", "web"), ("import", "web")]


def test_a_second_click_on_importer_imports_nothing_twice(signed_in, organisation):
    url = preview_url(upload(signed_in, ACME_CSV))
    data = mapping_post(signed_in.get(url), action="import")
    first = signed_in.post(url, data)
    second = signed_in.post(url, data)
    assert first["Location"] == second["Location"]
    assert len(batches(organisation)) == 1
    assert len(invoices(organisation)) == 5


def test_french_headers_are_mapped_by_close_names_and_the_mapping_is_saved(signed_in, organisation):
    url = preview_url(upload(signed_in, FRENCH_CSV, "export-sage.csv"))
    page = signed_in.get(url)
    suggested = page.context["suggestion"].columns
    assert suggested == {
        "n° facture": "invoice_number",
        "code client": "debtor_ref",
        "raison sociale": "debtor_name",
        "date facture": "issue_date",
        "date d'échéance": "due_date",
        "montant ttc": "amount",
        "commentaire": "",
    }
    html = page.content.decode()
    assert '<label for="id_col_0">N° facture</label>' in html
    assert '<details class="import-mapping-details" open>' in html
    assert "1\xa0200,00" in html  # the preview reads the file through the mapping

    done = signed_in.post(url, mapping_post(page, action="import", save_as="Export Sage"))
    batch = batches(organisation)[0]
    assert done.status_code == 302
    assert batch.status == "done"
    assert batch.column_mapping["montant ttc"] == "amount"
    assert invoices(organisation) == ["FR-1", "FR-2"]
    with scope(organisation=organisation):
        saved = ColumnMapping.objects.get()
        assert (saved.name, saved.columns["date d'échéance"]) == ("Export Sage", "due_date")
        assert AuditEntry.objects.filter(object_type="column_mapping", action="create").count() == 1

    # The next file with those headers gets the saved mapping, even where close names would not.
    renamed = FRENCH_CSV.replace("Commentaire", "Montant HT")
    page = signed_in.get(preview_url(upload(signed_in, renamed)))
    assert page.context["suggestion"].saved_name == "Export Sage"
    assert page.context["suggestion"].columns["montant ht"] == "amount_excl_tax"
    assert "La correspondance enregistrée « Export Sage » a été appliquée" in page.content.decode()


def test_saved_mappings_belong_to_their_organisation(signed_in, organisation, other_organisation):
    with scope(organisation=other_organisation):
        ColumnMapping.objects.create(
            organisation=other_organisation, name="Secret", columns={"n° facture": "po_number"}
        )
    page = signed_in.get(preview_url(upload(signed_in, FRENCH_CSV)))
    assert page.context["suggestion"].saved_name is None
    assert page.context["suggestion"].columns["n° facture"] == "invoice_number"
    assert "Secret" not in signed_in.get(reverse("backoffice:import-list")).content.decode()


def test_an_unmapped_required_column_is_named_and_nothing_is_imported(signed_in, organisation):
    url = preview_url(upload(signed_in, FRENCH_CSV))
    page = signed_in.get(url)
    response = signed_in.post(url, mapping_post(page, action="import", col_5=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Colonnes obligatoires sans correspondance : Montant TTC." in html
    assert 'role="alert"' in html
    assert batches(organisation) == []
    # What the person chose is kept.
    assert response.context["form"]["col_0"].value() == "invoice_number"


def test_a_column_chosen_twice_is_an_error_next_to_the_field(signed_in, organisation):
    url = preview_url(upload(signed_in, FRENCH_CSV))
    page = signed_in.get(url)
    response = signed_in.post(url, mapping_post(page, action="import", col_6="amount"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "« Montant TTC » est déjà choisie pour la colonne « Montant TTC »." in html
    assert re.search(r'<select name="col_6"[^>]*aria-invalid="true"', html)
    assert 'id="id_col_6_error"' in html
    assert batches(organisation) == []


def test_refreshing_the_preview_applies_the_chosen_mapping_without_importing(signed_in, organisation):
    url = preview_url(upload(signed_in, FRENCH_CSV))
    page = signed_in.get(url)
    # The comment read as the purchase order: shown, nothing written.
    response = signed_in.post(url, mapping_post(page, action="preview", col_6="po_number"))
    assert response.status_code == 200
    assert response.context["preview"].rows[0].invoice.po_number == "urgent"
    assert batches(organisation) == []


# Bad files


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Le fichier soumis est vide."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "binary file"),
        (b"PK\x03\x04\x14\x06\x08!\nword/document.xml", "control characters"),
        (b"\n\ninvoice_number;amount\n", "the first line is empty"),
    ],
)
def test_bad_files_are_refused_on_the_upload_form(signed_in, organisation, data_dir, content, message):
    response = upload(signed_in, content, "factures.xlsx")
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'id="id_file_error"' in html
    assert re.search(r'<input type="file" name="file"[^>]*aria-invalid="true"', html)
    assert batches(organisation) == []
    assert list((data_dir / "uploads").glob("*.csv")) == []  # a refused file is not kept


def test_no_file_at_all_is_a_field_error(signed_in):
    response = signed_in.post(reverse("backoffice:import-new"), {})
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in response.content.decode()


def test_windows_1252_file_is_read_and_said_so(signed_in, organisation):
    text = FRENCH_CSV.replace("Alpha SARL", "Société Générale Énergie")
    url = preview_url(upload(signed_in, text.encode("cp1252")))
    page = signed_in.get(url)
    assert "Windows-1252" in page.content.decode()
    assert page.context["preview"].rows[0].invoice.debtor.name == "Société Générale Énergie"
    signed_in.post(url, mapping_post(page, action="import"))
    assert batches(organisation)[0].warnings == ["the file was read as Windows-1252 (Latin-1), not UTF-8"]


def test_refused_lines_are_reported_by_line_and_column_and_nothing_is_written(signed_in, organisation):
    text = ACME_CSV.replace("2026-11-01;2026-12-31;500.00", "2026-11-01;2026-12-31;cinq cents")
    response = import_through_pages(signed_in, text)
    batch = batches(organisation)[0]
    assert batch.status == "refused"
    assert invoices(organisation) == []
    html = signed_in.get(response["Location"]).content.decode()
    assert "Fichier refusé : rien n'a été importé. 1 erreur à corriger" in html
    assert '<td class="num">3</td>' in html
    assert "<code>amount</code>" in html

    download = signed_in.get(reverse("backoffice:import-errors-csv", args=[batch.pk]))
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in download["Content-Disposition"]
    lines = download.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "line;column;file_column;message"
    assert lines[1].startswith("3;amount;amount;")


def test_the_error_report_names_the_files_own_column_and_is_paginated(signed_in, organisation):
    bad = "".join(f"FR-{n};411ALPHA;Alpha;01/10/2026;31/10/2026;zéro\n" for n in range(120))
    text = FRENCH_CSV.splitlines()[0] + "\n" + bad
    response = import_through_pages(signed_in, text)
    first = signed_in.get(response["Location"])
    assert len(first.context["page"].object_list) == 50
    assert "(« montant ttc »)" in first.content.decode()
    last = signed_in.get(response["Location"], {"page": 3})
    assert [e["line"] for e in last.context["page"].object_list] == list(range(102, 122))


# Dry run, then the real import


def test_a_dry_run_counts_the_whole_file_then_imports_it_once(signed_in, organisation):
    response = import_through_pages(signed_in, ACME_CSV, dry_run="on")
    dry = batches(organisation)[0]
    assert (dry.status, dry.created, dry.dry_run) == ("dry_run", 5, True)
    assert invoices(organisation) == []
    html = signed_in.get(response["Location"]).content.decode()
    assert "Simulation : rien n'a été enregistré." in html
    assert "Importer ce fichier" in html

    run_url = reverse("backoffice:import-run", args=[dry.pk])
    first = signed_in.post(run_url)
    second = signed_in.post(run_url)
    assert first["Location"] == second["Location"]
    real = batches(organisation)[1]
    assert (real.status, real.created, real.upload_path) == ("done", 5, dry.upload_path)
    assert len(batches(organisation)) == 2
    assert len(invoices(organisation)) == 5


def test_only_a_manager_turns_a_dry_run_into_an_import(signed_in, organisation, make_user):
    import_through_pages(signed_in, ACME_CSV, dry_run="on")
    dry = batches(organisation)[0]
    client = Client()
    client.force_login(make_user(organisation, "agent"))
    assert (
        "Importer ce fichier"
        not in client.get(reverse("backoffice:import-detail", args=[dry.pk])).content.decode()
    )
    assert client.post(reverse("backoffice:import-run", args=[dry.pk])).status_code == 403
    assert len(batches(organisation)) == 1


# Another organisation, another session


def test_another_organisations_batch_is_a_404(signed_in, books, other_organisation):
    foreign = batches(other_organisation)[0]
    for name in ("import-detail", "import-progress", "import-errors-csv"):
        assert signed_in.get(reverse(f"backoffice:{name}", args=[foreign.pk])).status_code == 404
    assert signed_in.post(reverse("backoffice:import-run", args=[foreign.pk])).status_code == 404


def test_an_upload_is_reachable_only_from_the_session_that_sent_it(signed_in, organisation, make_user):
    url = preview_url(upload(signed_in, ACME_CSV))
    other_manager = make_user(organisation, "manager", email="other@acme.example")
    client = Client()
    client.force_login(other_manager)
    assert client.get(url).status_code == 404
    assert (
        signed_in.get(reverse("backoffice:import-preview", args=[str(uuid.UUID(int=0))])).status_code == 404
    )
    assert signed_in.get(url).status_code == 200  # the uploader's own session still reaches it


# Large files: the worker, and the progress bar


@pytest.mark.django_db(transaction=True)
def test_a_large_file_goes_to_the_worker_and_the_page_follows_it(
    signed_in, organisation, settings, monkeypatch
):
    monkeypatch.setattr(views, "WEB_SYNC_MAX_BYTES", 10)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    response = import_through_pages(signed_in, ACME_CSV)
    batch = batches(organisation)[0]
    assert (batch.status, batch.total_lines) == ("queued", 5)
    html = signed_in.get(response["Location"]).content.decode()
    assert "En attente du traitement en arrière-plan" in html
    assert 'hx-trigger="every 2s"' in html
    assert 'role="status"' in html

    call_command("db_worker", batch=True, queue_name="*", startup_delay=False, reload=False, verbosity=0)

    batch.refresh_from_db()
    assert (batch.status, batch.created) == ("done", 5)
    poll = signed_in.get(
        reverse("backoffice:import-progress", args=[batch.pk]), headers={"HX-Request": "true"}
    )
    assert poll["HX-Refresh"] == "true"
    assert "Import terminé." in poll.content.decode()


def test_the_progress_bar_shows_the_lines_read_by_a_running_import(signed_in, organisation, data_dir):
    path = data_dir / "upload.csv"
    path.write_text(ACME_CSV)
    with scope(organisation=organisation):
        batch = ImportBatch.objects.create(
            organisation=organisation,
            file_name="big.csv",
            status="running",
            upload_path=str(path),
            total_lines=100,
        )
    (data_dir / "upload.csv.progress").write_text("40")
    poll = signed_in.get(
        reverse("backoffice:import-progress", args=[batch.pk]), headers={"HX-Request": "true"}
    )
    html = poll.content.decode()
    assert "HX-Refresh" not in poll
    assert "Import en cours : 40 lignes lues sur environ 100 (40 %)." in html
    assert '<progress value="40" max="100"' in html
    # The badge in the title follows (queued → running) through an out-of-band swap.
    assert re.search(
        r'<span id="import-status" hx-swap-oob="true">\s*<span class="badge[^"]*">En cours</span>', html
    )


@pytest.mark.django_db(transaction=True)
def test_progress_is_readable_while_the_imports_transaction_is_open(
    client, organisation, manager, settings, data_dir
):
    """The import runs in another thread (its own database connection, like the worker); after its
    first chunk, the page is read from this thread while the import's transaction is still open."""
    settings.IMPORT_CHUNK_SIZE = 2
    client.force_login(manager)
    # A person polling has browsed before: the session holds the organisation already (a page
    # that wrote the session would wait for the import's lock on SQLite).
    assert client.get(reverse("backoffice:import-list")).status_code == 200
    stored = uploads.upload_store([ACME_CSV.encode()])
    with scope(organisation=organisation):
        batch, _ = uploads.import_queue(
            organisation=organisation,
            upload=stored,
            file_name="big.csv",
            mapping={},
            dry_run=False,
            complete=False,
            actor=manager,
        )
    first_chunk, carry_on = threading.Event(), threading.Event()
    writer = uploads._progress_writer

    def pausing_writer(path):
        write = writer(path)

        def progress(lines):
            write(lines)
            if lines == 2:
                first_chunk.set()
                carry_on.wait(30)

        return progress

    uploads._progress_writer = pausing_writer
    try:
        worker = threading.Thread(target=uploads.import_batch_run, args=(batch.pk, settings_today()))
        worker.start()
        assert first_chunk.wait(30)
        poll = client.get(reverse("backoffice:import-progress", args=[batch.pk]))
        carry_on.set()
        worker.join(30)
    finally:
        uploads._progress_writer = writer
        carry_on.set()
    assert "Import en cours : 2 lignes lues sur environ 5 (40 %)." in poll.content.decode()
    batch.refresh_from_db()
    assert (batch.status, batch.created) == ("done", 5)
    assert not (data_dir / "uploads" / (stored.path.name + ".progress")).exists()


def settings_today():
    from recouvre.testing.fixtures import TODAY

    return TODAY


def test_a_manager_deletes_a_saved_mapping_once_and_others_cannot(signed_in, organisation, make_user):
    with scope(organisation=organisation):
        saved = ColumnMapping.objects.create(
            organisation=organisation, name="Sage", columns={"facture": "invoice_number"}
        )
    url = reverse("backoffice:import-mapping-delete", args=[saved.pk])
    agent = Client()
    agent.force_login(make_user(organisation, "agent"))
    assert agent.post(url).status_code == 403
    assert "Supprimer" not in agent.get(reverse("backoffice:import-list")).content.decode()
    assert "Supprimer" in signed_in.get(reverse("backoffice:import-list")).content.decode()
    assert signed_in.post(url)["Location"] == reverse("backoffice:import-list")
    assert signed_in.post(url).status_code == 302  # the second click finds nothing left
    with scope(organisation=organisation):
        assert not ColumnMapping.objects.exists()
        assert AuditEntry.objects.filter(object_type="column_mapping", action="delete").count() == 1


def test_another_organisations_mapping_cannot_be_deleted(signed_in, other_organisation):
    with scope(organisation=other_organisation):
        saved = ColumnMapping.objects.create(organisation=other_organisation, name="Secret", columns={})
    signed_in.post(reverse("backoffice:import-mapping-delete", args=[saved.pk]))
    with scope(organisation=other_organisation):
        assert ColumnMapping.objects.filter(pk=saved.pk).exists()
