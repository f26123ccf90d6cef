from datetime import date
from decimal import Decimal

import pytest

from recouvre.law.domain.rates import (
    COLUMNS,
    PACKAGED_TABLE,
    HalfYear,
    RateTableError,
    parse_rate_table,
    read_rate_table,
    table_in_force,
    table_store,
)

HEADER = ",".join(COLUMNS)


def row(start="2027-01-01", end="2027-06-30", ecb="2.00", other="2.50", consumer="6.00", **kw):
    values = {
        "table_date": kw.get("table_date", "2027-01-10"),
        "semester_start": start,
        "semester_end": end,
        "ecb_mro_pct": ecb,
        "til_autres_cas_pct": other,
        "til_creancier_personne_physique_non_pro_pct": consumer,
        "status": kw.get("status", "confirmed"),
        "confidence": "high",
        "sources": "test",
    }
    return ",".join(values[c] for c in COLUMNS)


def test_packaged_table_has_provenance_and_the_spec_rates():
    table = read_rate_table(PACKAGED_TABLE)
    assert table.table_date == date(2026, 2, 5)
    assert table.ecb_mro(HalfYear(2024, 1)) == Decimal("4.50")
    assert table.ecb_mro(HalfYear(2024, 2)) == Decimal("4.25")
    assert table.ecb_mro(HalfYear(2025, 1)) == Decimal("3.15")
    assert table.legal_other(HalfYear(2026, 1)) == Decimal("2.62")
    assert table.legal_consumer_creditor(HalfYear(2026, 1)) == Decimal("6.67")
    assert table.legal_other(HalfYear(2014, 2)) is None  # before the reference's coverage
    # The unconfirmed H2-2026 MRO stays marked provisional; nothing past the table is guessed.
    assert table.provisional(HalfYear(2026, 2))
    assert not table.provisional(HalfYear(2026, 1))
    assert table.row(HalfYear(2026, 2)).confidence.startswith("medium")
    assert table.ecb_mro(HalfYear(2027, 1)) is None
    assert table.row(HalfYear(2008, 2)) is None


@pytest.mark.parametrize(
    ("day", "label", "start", "end"),
    [
        (date(2024, 6, 30), "2024-H1", date(2024, 1, 1), date(2024, 6, 30)),
        (date(2024, 7, 1), "2024-H2", date(2024, 7, 1), date(2024, 12, 31)),
        (date(2024, 12, 31), "2024-H2", date(2024, 7, 1), date(2024, 12, 31)),
    ],
)
def test_half_year_of_a_day(day, label, start, end):
    half_year = HalfYear.of(day)
    assert (str(half_year), half_year.start, half_year.end) == (label, start, end)
    assert HalfYear(2024, 2).following() == HalfYear(2025, 1)


@pytest.mark.parametrize(
    ("lines", "line", "column", "words"),
    [
        ([HEADER, row(ecb="abc")], 2, "ecb_mro_pct", "not a percentage"),
        ([HEADER, row(), row(start="2027-07-01", end="2027-12-31", other="x")], 3, "til_autres_cas_pct", ""),
        ([HEADER, row(start="2027-02-01")], 2, "semester_start", "1 January or 1 July"),
        ([HEADER, row(end="2027-12-31")], 2, "semester_end", "ends on 2027-06-30"),
        ([HEADER, row(), row()], 3, "semester_start", "twice"),
        ([HEADER, row(status="maybe")], 2, "status", "not one of"),
        (
            [HEADER, row(), row(start="2027-07-01", end="2027-12-31", table_date="2027-02-01")],
            3,
            "table_date",
            "",
        ),
        ([HEADER, row(start="2027-13-01")], 2, "semester_start", "not a date"),
        ([HEADER, row(ecb="250")], 2, "ecb_mro_pct", "plausible"),
        ([HEADER, row() + ",extra"], 2, "", "values for"),
        (["table_date,semester_start", "2027-01-10,2027-01-01"], 1, "", "missing column"),
        ([HEADER], 2, "", "no rates"),
        ([], 1, "", "empty"),
    ],
)
def test_a_bad_table_is_refused_naming_line_and_column(lines, line, column, words):
    with pytest.raises(RateTableError) as error:
        parse_rate_table("\n".join(lines) + "\n")
    assert (error.value.line, error.value.column) == (line, column)
    assert words in str(error.value)
    assert str(error.value).startswith(f"line {line}")


def test_empty_cells_are_missing_rates_not_zero():
    table = parse_rate_table(f"{HEADER}\n{row(ecb='', other='', status='provisional')}\n")
    assert table.ecb_mro(HalfYear(2027, 1)) is None
    assert table.legal_other(HalfYear(2027, 1)) is None
    assert table.legal_consumer_creditor(HalfYear(2027, 1)) == Decimal("6.00")
    assert table.provisional(HalfYear(2027, 1))


def test_a_stored_newer_table_is_in_force_and_an_older_one_refused(tmp_path):
    assert table_in_force(tmp_path).table_date == date(2026, 2, 5)
    newer = f"{HEADER}\n{row()}\n"
    table, path = table_store(newer, tmp_path)
    assert path == tmp_path / "rates" / "rates-2027-01-10.csv"
    assert table.table_date == date(2027, 1, 10)
    in_force = table_in_force(tmp_path)
    assert in_force.table_date == date(2027, 1, 10)
    assert in_force.ecb_mro(HalfYear(2027, 1)) == Decimal("2.00")
    # Loading it again rewrites the same file.
    table_store(newer, tmp_path)
    assert len(list((tmp_path / "rates").iterdir())) == 1
    with pytest.raises(RateTableError, match="older than the table in force"):
        table_store(f"{HEADER}\n{row(table_date='2026-01-01')}\n", tmp_path)
    assert len(list((tmp_path / "rates").iterdir())) == 1


def test_an_invalid_table_writes_nothing(tmp_path):
    with pytest.raises(RateTableError):
        table_store(f"{HEADER}\n{row()}\n{row(ecb='?')}\n", tmp_path)
    assert not (tmp_path / "rates").exists()


def test_a_stored_table_damaged_since_is_skipped(tmp_path):
    (tmp_path / "rates").mkdir()
    (tmp_path / "rates" / "rates-2099-01-01.csv").write_text("garbage\n", encoding="utf-8")
    assert table_in_force(tmp_path).table_date == date(2026, 2, 5)


def test_a_table_file_is_parsed_once_per_version(tmp_path):
    """Pages read the table in force on every request: the same file is not parsed again, but a
    file changed since is."""
    table_store(f"{HEADER}\n{row()}\n", tmp_path)
    first = table_in_force(tmp_path)
    assert table_in_force(tmp_path) is first
    stored = tmp_path / "rates" / "rates-2027-01-10.csv"
    text = stored.read_text(encoding="utf-8")
    stored.write_text("garbage\n", encoding="utf-8")
    assert table_in_force(tmp_path).table_date == date(2026, 2, 5)
    stored.write_text(text.replace("2.00", "2.25", 1), encoding="utf-8")
    assert table_in_force(tmp_path).ecb_mro(HalfYear(2027, 1)) == Decimal("2.25")
