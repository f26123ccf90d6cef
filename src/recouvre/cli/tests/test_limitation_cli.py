"""`recouvre invoice show --json` and limitation interruptions (cli.md, french-law.md § Limitation): the
prescription date moves with an interruption, and the interruptions that count that day are listed."""

import json
from datetime import date

import pytest
from django_scopes import scope

from recouvre.cli.main import main
from recouvre.ledger.domain.limitation import limitation_interruption_record, limitation_interruption_withdraw
from recouvre.ledger.models import Invoice
from recouvre.tenancy.models import Organisation

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

CSV = (
    "invoice_number;debtor_ref;debtor_name;debtor_type;issue_date;due_date;amount\n"
    "B-1;411B;Bravo SA;B2B;2020-02-10;2020-03-10;1000,00\n"
)


def show(capsys, day):
    code = main(["invoice", "show", "B-1", "--date", day, "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


@pytest.fixture
def org(capsys, tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    assert main(["org", "create", "--name", "Acme Industrie"]) == 0
    path = tmp_path / "factures.csv"
    path.write_text(CSV, encoding="utf-8")
    assert main(["import", "invoices", str(path), "--date", "2024-01-01"]) == 0
    capsys.readouterr()
    organisation = Organisation.objects.get()
    with scope(organisation=organisation):
        yield organisation


def record(organisation, kind, on, reference):
    return limitation_interruption_record(
        organisation=organisation,
        invoice=Invoice.objects.get(number="B-1"),
        kind=kind,
        on=on,
        today=date(2024, 11, 22),
        actor=None,
        reference=reference,
    )


def test_invoice_show_lists_the_interruptions_and_the_moved_date(capsys, org):
    doc = show(capsys, "2024-11-22")
    assert (doc["prescription_date"], doc["limitation_interruptions"]) == ("2025-03-10", [])
    record(org, "court_claim", date(2024, 6, 1), "RG 24/01234")
    mistaken = record(org, "acknowledgement", date(2024, 9, 1), "")
    limitation_interruption_withdraw(organisation=org, interruption=mistaken, reason="Erreur", actor=None)
    doc = show(capsys, "2024-11-22")
    assert doc["prescription_date"] == "2029-06-01"
    assert doc["limitation_interruptions"] == [
        {"kind": "court_claim", "date": "2024-06-01", "reference": "RG 24/01234"}
    ]
    # As of a day before the claim: neither the date nor the list has it yet.
    doc = show(capsys, "2024-05-31")
    assert (doc["prescription_date"], doc["limitation_interruptions"]) == ("2025-03-10", [])
