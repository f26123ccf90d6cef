from datetime import date
from decimal import Decimal

import pytest

from recouvre.kernel.parsing import parse_amount, parse_bool, parse_date

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.56", Decimal("1234.56")),
        ("1234,56", Decimal("1234.56")),
        ("1 234,56", Decimal("1234.56")),
        ("1\u00a0234,56", Decimal("1234.56")),
        ("1\u202f234\u202f567,5", Decimal("1234567.5")),
        ("12", Decimal("12")),
        (" 0,01 ", Decimal("0.01")),
        ("-3,50", Decimal("-3.50")),
    ],
)
def test_parse_amount_accepts_french_and_plain_forms(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    "text", ["12,3,4", "1.234,56", "1,234.56", "12.345", "abc", "", "1 23,00", "1e3", "€12"]
)
def test_parse_amount_refuses_ambiguous_or_malformed(text):
    with pytest.raises(ValueError, match="is not an amount"):
        parse_amount(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-11-22", date(2026, 11, 22)), ("22/11/2026", date(2026, 11, 22)), ("1/2/2026", date(2026, 2, 1))],
)
def test_parse_date_reads_iso_and_french(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["2026-02-30", "31/04/2026", "11/22/26", "2026/11/22", "demain"])
def test_parse_date_refuses_impossible_or_other_formats(text):
    with pytest.raises(ValueError, match=r"date"):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1", True), ("oui", True), ("TRUE", True), ("0", False), ("non", False), ("", False)],
)
def test_parse_bool(text, expected):
    assert parse_bool(text) is expected


def test_parse_bool_refuses_other_words():
    with pytest.raises(ValueError, match="yes/no"):
        parse_bool("peut-être")
