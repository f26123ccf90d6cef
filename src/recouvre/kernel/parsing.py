"""Parsers for the values people type into spreadsheets: French and ISO dates, amounts with
decimal commas and thousands spaces, yes/no flags. Each raises ValueError with a message a credit
manager can act on; the caller adds the line and column."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_FR_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
# 1234.56, 1234,56, 1 234,56 (space, no-break space or narrow no-break space between thousands).
_AMOUNT = re.compile(r"^[+-]?(\d{1,3}([ \u00a0\u202f]\d{3})+|\d+)([.,]\d{1,2})?$")
_TRUE = {"1", "true", "oui", "yes", "vrai", "o", "y"}
_FALSE = {"0", "false", "non", "no", "faux", "n", ""}


@lru_cache(maxsize=8192)
def parse_date(text: str) -> date:
    """Cached: a ledger has few distinct dates and many lines (a refused text is not cached)."""
    text = text.strip()
    match = _ISO_DATE.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _FR_DATE.match(text)
        if not match:
            raise ValueError(f"{text!r} is not a date (expected YYYY-MM-DD or DD/MM/YYYY)")
        day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a valid date ({exc})") from exc


def parse_amount(text: str) -> Decimal:
    """An amount with at most two decimals; `12,3,4` or `1.234,56` are refused rather than guessed."""
    cleaned = text.strip()
    if not _AMOUNT.match(cleaned):
        raise ValueError(
            f"{text!r} is not an amount (expected e.g. 1234.56, 1234,56 or 1 234,56, two decimals at most)"
        )
    normalised = cleaned.replace(" ", "").replace("\u00a0", "").replace("\u202f", "").replace(",", ".")
    try:
        return Decimal(normalised)
    except InvalidOperation as exc:  # pragma: no cover - the pattern above already excludes this
        raise ValueError(f"{text!r} is not an amount") from exc


def parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"{text!r} is not a yes/no value (expected 1/0, true/false or oui/non)")
