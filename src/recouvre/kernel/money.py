"""Money is a Decimal with a currency; floats never carry an amount anywhere in the product."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_cents(value: Decimal) -> Decimal:
    """Round half-up to the cent, the rounding French invoices and courts use."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def format_amount(value: Decimal) -> str:
    """The contract's JSON form: a string with exactly two decimals (`"1234.50"`)."""
    return f"{to_cents(value):.2f}"


NBSP = "\u00a0"
SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF"}


def format_money(amount: Decimal, currency: str = "EUR", *, french: bool = True) -> str:
    """For people: `1 234,56 €` in French (a no-break space between thousands and before the sign,
    so that a line break never splits an amount), `1,234.56 €` in English."""
    value = to_cents(amount)
    sign = "-" if value < 0 else ""
    units, cents = f"{abs(value):,.2f}".split(".")
    symbol = SYMBOLS.get(currency or "EUR", currency)
    if french:
        return f"{sign}{units.replace(',', NBSP)},{cents}{NBSP}{symbol}"
    return f"{sign}{units}.{cents}{NBSP}{symbol}"


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str = "EUR"

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError(f"Money needs a Decimal, got {type(self.amount).__name__}")

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def __str__(self) -> str:
        return f"{format_amount(self.amount)} {self.currency}"
