"""Amounts and dates as a French credit manager writes them (`1 234,56 €`, `22/11/2026`), or as an
English reader expects them when the interface is in English.

The French form is exact (kernel.money.format_money) rather than left to Django's localisation."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import timezone
from django.utils.translation import get_language

from recouvre.kernel.identifiers import format_phone
from recouvre.kernel.money import format_money as kernel_format_money

register = template.Library()


def _is_french() -> bool:
    return (get_language() or "fr").split("-")[0] == "fr"


def format_money(value: object, currency: str = "EUR", french: bool | None = None) -> str:
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return kernel_format_money(amount, currency or "EUR", french=_is_french() if french is None else french)


@register.filter
def money(value: object, currency: str = "EUR") -> str:
    """`{{ invoice.amount|money:invoice.currency }}`"""
    return format_money(value, currency)


@register.filter
def day(value: date | datetime | None) -> str:
    """A calendar date: `22/11/2026` in French, ISO `2026-11-22` in English."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return value.strftime("%d/%m/%Y" if _is_french() else "%Y-%m-%d")


@register.filter
def moment(value: datetime | None) -> str:
    """A point in time, in the server's time zone (Paris): `22/11/2026 14:05`."""
    if not value:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{day(local)} {local:%H:%M}"


@register.filter
def phone(value: str | None) -> str:
    """`+33 6 12 34 56 78` from the stored E.164 `+33612345678`."""
    return format_phone(value) if value else ""
