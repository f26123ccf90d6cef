from decimal import Decimal

import pytest

from recouvre.kernel.money import Money, format_amount, format_money, to_cents

pytestmark = pytest.mark.unit


def test_rounding_is_half_up_to_the_cent():
    assert to_cents(Decimal("0.125")) == Decimal("0.13")
    assert to_cents(Decimal("0.135")) == Decimal("0.14")
    assert format_amount(Decimal("1234.5")) == "1234.50"


def test_money_refuses_floats_and_mixed_currencies():
    with pytest.raises(TypeError):
        Money(1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="EUR and USD"):
        Money(Decimal(1)) + Money(Decimal(1), "USD")
    assert str(Money(Decimal("2.5")) - Money(Decimal("1"))) == "1.50 EUR"


def test_format_money_for_people():
    assert format_money(Decimal("1234567.5")) == "1\u00a0234\u00a0567,50\u00a0€"
    assert format_money(Decimal("-0.005")) == "-0,01\u00a0€"
    assert format_money(Decimal("1234.5"), "USD", french=False) == "1,234.50\u00a0$"
