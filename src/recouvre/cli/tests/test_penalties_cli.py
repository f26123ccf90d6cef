"""`recouvre penalties` and `recouvre rates update` as scripts see them (cli.md, french-law.md)."""

import json

import pytest
from django_scopes import scopes_disabled

from recouvre.cli.main import main
from recouvre.law.domain.rates import COLUMNS
from recouvre.ledger.models import Allocation, Invoice

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

CSV = (
    "invoice_number;debtor_ref;debtor_name;debtor_type;issue_date;due_date;amount;open_amount\n"
    "F-100;411A;Alpha;B2B;2024-01-31;2024-03-01;1000,00;\n"
    "F-200;411B;Bravo;B2B;2025-05-15;2025-06-15;10000,00;\n"
    "F-300;411C;Charlie;B2C;2024-01-31;2024-03-01;1000,00;\n"
    "F-400;411D;Mairie;PUBLIC;2024-01-31;2024-03-01;1000,00;\n"
)
RATES_HEADER = ",".join(COLUMNS)


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def run_json(capsys, *argv):
    code, out, err = run(capsys, *argv, "--json")
    return code, json.loads(out), err


@pytest.fixture
def books(capsys, tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    assert run(capsys, "org", "create", "--name", "Acme Industrie")[0] == 0
    path = tmp_path / "factures.csv"
    path.write_text(CSV, encoding="utf-8")
    assert run(capsys, "import", "invoices", str(path), "--date", "2024-02-01")[0] == 0
    return tmp_path


def pay(capsys, number, amount, day):
    code, _, err = run(capsys, "payment", "add", "--invoice", number, "--amount", amount, "--date", day)
    assert code == 0, err


def test_worked_example_with_a_partial_payment(capsys, books):
    pay(capsys, "F-100", "500.00", "2024-05-01")
    code, doc, _ = run_json(capsys, "penalties", "--invoice", "F-100", "--date", "2024-08-01")
    assert code == 0
    assert {
        k: doc[k] for k in ("invoice", "principal", "days_late", "interest", "fixed_indemnity", "total")
    } == {
        "invoice": "F-100",
        "principal": "1000.00",
        "days_late": 153,
        "interest": "42.40",
        "fixed_indemnity": "40.00",
        "total": "82.40",
    }
    assert [{k: p[k] for k in ("from", "to", "days", "rate", "amount")} for p in doc["periods"]] == [
        {"from": "2024-03-02", "to": "2024-05-01", "days": 61, "rate": "14.50", "amount": "24.23"},
        {"from": "2024-05-02", "to": "2024-06-30", "days": 60, "rate": "14.50", "amount": "11.92"},
        {"from": "2024-07-01", "to": "2024-08-01", "days": 32, "rate": "14.25", "amount": "6.25"},
    ]
    assert doc["open_principal"] == "500.00"
    assert doc["missing_rates"] == []
    assert doc["table_date"] == "2026-02-05"


def test_worked_example_paid_in_full_and_text_output(capsys, books):
    pay(capsys, "F-200", "10000.00", "2026-02-10")
    code, doc, _ = run_json(capsys, "penalties", "--invoice", "F-200", "--date", "2026-11-22")
    assert code == 0
    assert (doc["interest"], doc["days_late"], doc["total"]) == ("803.01", 240, "843.01")
    assert [p["amount"] for p in doc["periods"]] == ["54.04", "612.49", "136.48"]
    code, out, _ = run(capsys, "penalties", "--invoice", "F-200", "--date", "2026-11-22")
    assert code == 0
    assert "interest         803.01" in out
    assert "rate table of 2026-02-05" in out


def test_a_credit_note_lowers_the_principal_from_its_allocation_day(capsys, books, tmp_path):
    note = tmp_path / "avoir.csv"
    note.write_text(
        "invoice_number;debtor_ref;document_type;applies_to;issue_date;due_date;amount\n"
        "AV-1;411A;credit_note;F-100;2024-05-01;2024-05-01;500,00\n",
        encoding="utf-8",
    )
    assert run(capsys, "import", "invoices", str(note), "--date", "2024-05-01")[0] == 0
    with scopes_disabled():
        assert list(Allocation.objects.filter(invoice__number="F-100").values_list("amount", flat=True)) == [
            500
        ]
    code, doc, _ = run_json(capsys, "penalties", "--invoice", "F-100", "--date", "2024-08-01")
    assert (code, doc["interest"]) == (0, "42.40")
    code, doc, _ = run_json(capsys, "penalties", "--invoice", "AV-1", "--date", "2024-08-01")
    assert code == 1
    assert "credit note" in doc["error"]


def test_debtor_type_decides_the_regime(capsys, books):
    code, b2c, _ = run_json(capsys, "penalties", "--invoice", "F-300", "--date", "2024-08-01")
    assert code == 0
    # A consumer: no formal notice recorded yet, so no interest, and never the 40 EUR.
    assert (b2c["debtor_type"], b2c["interest"], b2c["fixed_indemnity"], b2c["periods"]) == (
        "B2C",
        "0.00",
        "0.00",
        [],
    )
    code, public, _ = run_json(capsys, "penalties", "--invoice", "F-400", "--date", "2024-08-01")
    assert [p["rate"] for p in public["periods"]] == ["12.50", "12.25"]
    assert (public["interest"], public["fixed_indemnity"]) == ("52.18", "40.00")


def test_contractual_rate_on_the_invoice_is_floored(capsys, books):
    with scopes_disabled():
        Invoice.objects.filter(number="F-100").update(contractual_rate="12.000")
    _code, doc, _ = run_json(capsys, "penalties", "--invoice", "F-100", "--date", "2024-08-01")
    assert [p["rate"] for p in doc["periods"]] == ["15.21", "14.76"]


def test_missing_rates_are_listed_not_guessed(capsys, books):
    code, doc, _ = run_json(capsys, "penalties", "--invoice", "F-200", "--date", "2027-02-01")
    assert code == 0
    assert doc["missing_rates"] == [{"half_year": "2027-H1", "from": "2027-01-01", "to": "2027-02-01"}]
    assert doc["periods"][-1]["to"] == "2026-12-31"
    assert doc["periods"][-1]["provisional"] is True
    code, out, _ = run(capsys, "penalties", "--invoice", "F-200", "--date", "2027-02-01")
    assert "no rate for 2027-H1" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--invoice", "NOPE", "--date", "2024-08-01"], "no invoice NOPE"),
        (["--invoice", "F-100", "--date", "01/08/2024"], "is not a date"),
    ],
)
def test_penalties_refusals_exit_1(capsys, books, argv, message):
    code, doc, _ = run_json(capsys, "penalties", *argv)
    assert code == 1
    assert message in doc["error"]


def test_another_organisations_invoice_is_not_found(capsys, books):
    assert run(capsys, "org", "create", "--name", "Autre")[0] == 0
    code, doc, _ = run_json(
        capsys, "penalties", "--invoice", "F-100", "--org", "autre", "--date", "2024-08-01"
    )
    assert code == 1
    assert "no invoice F-100" in doc["error"]


def test_missing_invoice_option_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["penalties"])
    assert exit_.value.code == 2


def rates_file(tmp_path, *rows, name="taux.csv"):
    path = tmp_path / name
    path.write_text("\n".join([RATES_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


ROW_H1 = "2027-01-05,2027-01-01,2027-06-30,2.00,2.40,6.10,confirmed,high,test"
ROW_H2 = "2027-01-05,2027-07-01,2027-12-31,2.00,,,provisional,medium,test"


def test_rates_update_loads_a_newer_table_used_by_penalties(capsys, books):
    path = rates_file(books, ROW_H1, ROW_H2)
    code, doc, _ = run_json(capsys, "rates", "update", str(path))
    assert code == 0
    assert doc == {
        "table_date": "2027-01-05",
        "half_years": 2,
        "first": "2027-H1",
        "last": "2027-H2",
        "provisional": ["2027-H2"],
        "file": "rates-2027-01-05.csv",
    }
    assert (books / "data" / "rates" / "rates-2027-01-05.csv").is_file()
    code, pen, _ = run_json(capsys, "penalties", "--invoice", "F-200", "--date", "2027-02-01")
    # The new table covers 2027 only: earlier half-years are now the missing ones, and it says so.
    assert pen["table_date"] == "2027-01-05"
    assert [m["half_year"] for m in pen["missing_rates"]] == ["2025-H1", "2025-H2", "2026-H1", "2026-H2"]
    assert [(p["rate"], p["days"]) for p in pen["periods"]] == [("12.00", 32)]


def test_rates_update_refuses_a_bad_file_whole_naming_line_and_column(capsys, books):
    path = rates_file(books, ROW_H1, "2027-01-05,2027-07-01,2027-12-31,deux,,,confirmed,high,test")
    code, doc, _ = run_json(capsys, "rates", "update", str(path))
    assert code == 1
    assert (doc["line"], doc["column"]) == (3, "ecb_mro_pct")
    assert "line 3, column ecb_mro_pct" in doc["error"]
    assert not (books / "data" / "rates").exists()
    code, out, err = run(capsys, "rates", "update", str(path))
    assert code == 1
    assert "nothing was loaded" in out
    assert "line 3, column ecb_mro_pct" in err


def test_rates_update_refuses_an_older_table_and_a_missing_file(capsys, books):
    path = rates_file(books, ROW_H1.replace("2027-01-05", "2020-01-01", 1))
    code, doc, _ = run_json(capsys, "rates", "update", str(path))
    assert code == 1
    assert "older than the table in force" in doc["error"]
    code, doc, _ = run_json(capsys, "rates", "update", str(books / "absent.csv"))
    assert code == 1
    assert "no such file" in doc["error"]
    (books / "latin1.csv").write_bytes("é".encode("latin-1"))
    code, doc, _ = run_json(capsys, "rates", "update", str(books / "latin1.csv"))
    assert code == 1
    assert "UTF-8" in doc["error"]
