"""The generated portfolio: deterministic, valid line by line, and shaped by the payer profiles."""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

import pytest
from stdnum.eu import vat as eu_vat
from stdnum.fr import siren as fr_siren

from recouvre.demo.debtors import GOOD, HABITUAL, vat_fr
from recouvre.demo.generator import debtor_count, due_date, generate_rows, make_debtors
from recouvre.imports.domain.csv_reader import COLUMNS, STRUCTURE_ERROR, read_csv
from recouvre.imports.domain.csv_rows import InvoiceLine, parse_line
from recouvre.ledger.domain.ageing import BUCKETS, bucket_for

pytestmark = pytest.mark.unit

TODAY = date(2026, 11, 22)
SEED = 20261122


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return list(generate_rows(3000, SEED, TODAY))


@pytest.fixture(scope="module")
def profiles() -> dict[str, str]:
    return {d.ref: d.profile for d in make_debtors(3000, SEED, TODAY)}


def _days(row: dict[str, str], later: str, earlier: str) -> int:
    return (date.fromisoformat(row[later]) - date.fromisoformat(row[earlier])).days


def test_the_same_seed_gives_the_same_portfolio() -> None:
    first = list(generate_rows(400, 7, TODAY))
    assert first == list(generate_rows(400, 7, TODAY))
    assert first != list(generate_rows(400, 8, TODAY))


@pytest.mark.parametrize("invoices", [1, 9, 55, 600, 3000])
def test_exactly_the_requested_documents_and_every_debtor_has_one(invoices: int) -> None:
    generated = list(generate_rows(invoices, SEED, TODAY))
    assert len(generated) == invoices
    assert len({row["debtor_ref"] for row in generated}) == debtor_count(invoices)
    assert len({row["invoice_number"] for row in generated}) == invoices


def test_about_one_debtor_per_ten_invoices() -> None:
    assert debtor_count(3000) == 300
    assert debtor_count(600) == 60
    assert debtor_count(100_000) == 10_000


def test_every_line_passes_the_import_line_validator(rows: list[dict[str, str]]) -> None:
    for number, row in enumerate(rows, start=2):
        assert set(row) == set(COLUMNS)
        assert all(isinstance(value, str) for value in row.values())
        parsed = parse_line(number, row)
        assert isinstance(parsed, InvoiceLine), (parsed, row)


def test_identifiers_are_valid(rows: list[dict[str, str]]) -> None:
    sirens = {row["debtor_siren"] for row in rows if row["debtor_siren"]}
    assert len(sirens) > 250
    for siren in sirens:
        fr_siren.validate(siren)
    for row in rows:
        if row["debtor_vat"]:
            eu_vat.validate(row["debtor_vat"])
        if row["debtor_vat"].startswith("FR"):
            assert row["debtor_vat"] == vat_fr(row["debtor_siren"])


def test_nothing_is_dated_after_today(rows: list[dict[str, str]]) -> None:
    for row in rows:
        for column in ("issue_date", "paid_date", "delivery_date"):
            if row[column]:
                assert date.fromisoformat(row[column]) <= TODAY, (column, row)
        assert row["due_date"] >= row["issue_date"]
        if row["paid_date"]:
            assert row["paid_date"] >= row["issue_date"]
    first = min(date.fromisoformat(row["issue_date"]) for row in rows)
    assert (TODAY - first).days > 500  # 18 months of history


def test_open_amounts_and_payments_are_consistent(rows: list[dict[str, str]]) -> None:
    statuses: Counter[str] = Counter()
    for row in rows:
        if row["document_type"] == "credit_note":
            assert (row["open_amount"], row["paid_date"]) == ("", "")
            continue
        amount, open_amount = Decimal(row["amount"]), Decimal(row["open_amount"])
        assert Decimal(row["amount_excl_tax"]) <= amount
        if open_amount == 0:
            statuses["paid"] += 1
            assert row["paid_date"]
        elif open_amount < amount:
            statuses["part-paid"] += 1
            assert row["paid_date"], "a part payment has its day"
        else:
            statuses["open"] += 1
            assert row["paid_date"] == ""
        if row["disputed"] == "1":
            statuses["disputed"] += 1
            assert open_amount == amount
    assert statuses["paid"] > 1500
    assert statuses["part-paid"] >= 5
    assert statuses["open"] > 300
    assert statuses["disputed"] >= 10


def test_credit_notes_correct_an_earlier_invoice_of_the_same_debtor(rows: list[dict[str, str]]) -> None:
    invoices = {row["invoice_number"]: row for row in rows if row["document_type"] == "invoice"}
    credit_notes = [row for row in rows if row["document_type"] == "credit_note"]
    assert len(credit_notes) >= 20
    for note in credit_notes:
        invoice = invoices[note["applies_to"]]
        assert invoice["debtor_ref"] == note["debtor_ref"]
        assert note["issue_date"] >= invoice["issue_date"]
        assert Decimal(note["amount"]) <= Decimal(invoice["amount"])


def test_the_portfolio_is_varied(rows: list[dict[str, str]]) -> None:
    debtors = {row["debtor_ref"]: row for row in rows}.values()
    types = Counter(d["debtor_type"] for d in debtors)
    assert 15 <= types["B2C"] <= 35
    assert types["PUBLIC"] >= 5
    assert {d["debtor_segment"] for d in debtors if d["debtor_type"] == "B2B"} == {"TPE", "PME", "ETI", "GE"}
    assert any(d["debtor_name"].endswith(form) for d in debtors for form in (" SARL", " SAS"))
    assert {d["debtor_postcode"][:2] for d in debtors} >= {"57", "67", "68", "97"}
    foreign = [d for d in debtors if d["debtor_country"] != "FR"]
    assert foreign
    assert all(d["debtor_language"] == "en" and not d["debtor_siren"] for d in foreign)
    assert any(not d["debtor_email"] for d in debtors)
    assert any(not d["debtor_email"] and not d["debtor_phone"] for d in debtors)
    assert any(d["debtor_phone"].startswith(("06", "07")) for d in debtors)
    assert any(d["debtor_phone"].startswith(("01", "02", "03", "04", "05")) for d in debtors)
    assert all(d["debtor_email"].endswith(".example") for d in debtors if d["debtor_email"])
    sirens = Counter(d["debtor_siren"] for d in debtors if d["debtor_siren"])
    assert max(sirens.values()) >= 2, "some companies have an account per establishment"


def test_payment_terms_give_the_due_dates(rows: list[dict[str, str]]) -> None:
    assert due_date(date(2026, 1, 10), "30 jours fin de mois") == date(2026, 2, 28)
    assert due_date(date(2026, 1, 10), "60 jours date de facture") == date(2026, 3, 11)
    terms = Counter(row["payment_terms"] for row in rows if row["document_type"] == "invoice")
    assert {"30 jours fin de mois", "45 jours", "60 jours date de facture"} <= set(terms)


def test_profiles_shape_the_lateness(rows: list[dict[str, str]], profiles: dict[str, str]) -> None:
    lateness: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        if row["document_type"] == "invoice" and row["open_amount"] == "0.00":
            lateness[profiles[row["debtor_ref"]]].append(_days(row, "paid_date", "due_date"))
    good, habitual = lateness[GOOD], lateness[HABITUAL]
    assert sum(days <= 5 for days in good) / len(good) >= 0.9
    assert sum(days > 30 for days in habitual) / len(habitual) >= 0.7


def test_every_bucket_of_the_aged_balance_holds_money(rows: list[dict[str, str]]) -> None:
    credited: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        if row["document_type"] == "credit_note":
            credited[row["applies_to"]] += Decimal(row["amount"])
    buckets: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        if row["document_type"] == "invoice":
            open_amount = Decimal(row["open_amount"]) - credited[row["invoice_number"]]
            buckets[bucket_for(date.fromisoformat(row["due_date"]), TODAY)] += max(open_amount, Decimal(0))
    assert all(buckets[name] > 0 for name in BUCKETS), buckets
    assert buckets["not_due"] < sum(buckets.values()) * Decimal("0.8")


def test_the_file_reads_back_line_for_line(tmp_path: object) -> None:
    from pathlib import Path

    from recouvre.demo.services import _write_csv

    path = Path(str(tmp_path)) / "demo.csv"
    _write_csv(path, invoices=500, seed=SEED, today=TODAY)
    header, records = read_csv(io.BytesIO(path.read_bytes()))
    assert (header.delimiter, header.encoding, header.unknown) == (";", "utf-8", [])
    read = [row for _line, row in records]
    assert read == list(generate_rows(500, SEED, TODAY))
    assert not any(STRUCTURE_ERROR in row for row in read)


def test_at_least_one_invoice_is_required() -> None:
    with pytest.raises(ValueError, match="at least one"):
        next(generate_rows(0, SEED, TODAY))


def test_every_debtor_of_a_large_portfolio_passes_the_validator() -> None:
    """Identifiers are drawn at random: a large portfolio explores the ranges a small one misses."""
    line = {"invoice_number": "F1", "issue_date": "2026-01-05", "due_date": "2026-02-04", "amount": "10.00"}
    for debtor in make_debtors(100_000, SEED, TODAY):
        parsed = parse_line(2, {**dict.fromkeys(COLUMNS, ""), **debtor.columns, **line})
        assert isinstance(parsed, InvoiceLine), (parsed, debtor.columns)
