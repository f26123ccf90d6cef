from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from recouvre.backoffice.templatetags.recouvre_format import day, format_money, moment, phone

pytestmark = pytest.mark.unit

NBSP = "\xa0"


@pytest.mark.parametrize(
    ("value", "french", "english"),
    [
        (Decimal("1234.56"), f"1{NBSP}234,56{NBSP}€", f"1,234.56{NBSP}€"),
        (Decimal("1234567.8"), f"1{NBSP}234{NBSP}567,80{NBSP}€", f"1,234,567.80{NBSP}€"),
        (Decimal("0"), f"0,00{NBSP}€", f"0.00{NBSP}€"),
        (Decimal("-45.5"), f"-45,50{NBSP}€", f"-45.50{NBSP}€"),
        (Decimal("0.005"), f"0,01{NBSP}€", f"0.01{NBSP}€"),  # half-up, as invoices round
    ],
)
def test_money_in_both_languages(value, french, english):
    assert format_money(value, french=True) == french
    assert format_money(value, french=False) == english


def test_money_filter_follows_the_active_language_and_currency():
    template = Template("{% load recouvre_format %}{{ amount|money }}|{{ amount|money:'USD' }}")
    context = Context({"amount": Decimal("1234.56")})
    with translation.override("fr"):
        assert template.render(context) == f"1{NBSP}234,56{NBSP}€|1{NBSP}234,56{NBSP}$"
    with translation.override("en"):
        assert template.render(context) == f"1,234.56{NBSP}€|1,234.56{NBSP}$"


def test_money_leaves_empty_values_empty():
    assert format_money(None) == ""


def test_dates_in_both_languages():
    with translation.override("fr"):
        assert day(date(2026, 11, 22)) == "22/11/2026"
    with translation.override("en"):
        assert day(date(2026, 11, 22)) == "2026-11-22"


def test_moments_are_shown_in_paris_time():
    late_evening_utc = datetime(2026, 11, 22, 23, 30, tzinfo=ZoneInfo("UTC"))
    with translation.override("fr"):
        # Already the 23rd in Paris (UTC+1 in winter).
        assert moment(late_evening_utc) == "23/11/2026 00:30"


def test_phone_numbers_are_grouped_for_reading():
    assert phone("+33612345678") == "+33 6 12 34 56 78"
    assert phone("") == ""
