"""Validation of one line of the canonical invoice CSV into typed values. Pure: the rules that need
the database (a debtor's first line, an open amount above the product's) are the import service's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from hashlib import blake2b
from typing import TypeVar

from recouvre.imports.domain.csv_reader import COLUMNS, STRUCTURE_ERROR
from recouvre.kernel.identifiers import (
    is_mobile_phone,
    normalise_country,
    normalise_currency,
    normalise_email,
    normalise_phone,
    normalise_siren,
    normalise_vat,
)
from recouvre.kernel.parsing import parse_amount, parse_bool, parse_date

DEBTOR_TYPES = ("B2B", "B2C", "PUBLIC")
SEGMENTS = ("TPE", "PME", "ETI", "GE")
DOCUMENT_TYPES = ("invoice", "credit_note")
LANGUAGES = ("fr", "en")
_MAX_AMOUNT = Decimal("999999999999.99")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    column: str
    message: str


@dataclass(frozen=True, slots=True)
class DebtorFields:
    """What a line says about its debtor; None where the cell is empty (an empty cell never erases)."""

    ref: str
    name: str | None
    debtor_type: str | None
    segment: str | None
    siren: str | None
    vat_number: str | None
    emails: tuple[str, ...]
    phone: str | None
    phone_is_mobile: bool
    address: str | None
    postcode: str | None
    city: str | None
    country: str | None
    language: str | None


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    line: int
    number: str
    debtor: DebtorFields
    document_type: str
    issue_date: date
    due_date: date
    amount: Decimal
    amount_excl_tax: Decimal | None
    currency: str
    open_amount: Decimal | None
    paid_date: date | None
    disputed: bool
    po_number: str
    applies_to: str
    delivery_date: date | None
    payment_terms: str


class _Collector:
    def __init__(self, line: int, row: dict[str, str]) -> None:
        self.line = line
        self.row = row
        self.errors: list[RowError] = []

    def text(self, column: str, max_length: int = 200) -> str:
        value = self.row.get(column, "").strip()
        if len(value) > max_length:
            self.errors.append(RowError(self.line, column, f"longer than {max_length} characters"))
        return value

    def required(self, column: str, max_length: int = 64) -> str:
        value = self.text(column, max_length)
        if not value:
            self.errors.append(RowError(self.line, column, "required, but the cell is empty"))
        return value

    def parse(self, column: str, parser: Callable[[str], T]) -> T | None:
        raw = self.row.get(column, "").strip()
        if not raw:
            return None
        try:
            return parser(raw)
        except ValueError as exc:
            self.errors.append(RowError(self.line, column, str(exc)))
            return None

    def choice(self, column: str, choices: tuple[str, ...], upper: bool = True) -> str | None:
        raw = self.row.get(column, "").strip()
        if not raw:
            return None
        value = raw.upper() if upper else raw.lower()
        if value not in choices:
            self.errors.append(RowError(self.line, column, f"{raw!r} is not one of {', '.join(choices)}"))
            return None
        return value

    def amount(self, column: str) -> Decimal | None:
        value = self.parse(column, parse_amount)
        if value is not None and abs(value) > _MAX_AMOUNT:
            self.errors.append(RowError(self.line, column, f"{value} is too large"))
            return None
        return value


def _address(raw: str) -> str:
    parts = raw.replace("\\n", "\n").replace(" / ", "\n").split("\n")
    return "\n".join(part.strip() for part in parts if part.strip())


def _emails(collector: _Collector) -> tuple[str, ...]:
    raw = collector.row.get("debtor_email", "").strip()
    if not raw:
        return ()
    emails: list[str] = []
    for part in raw.replace(";", ",").split(","):
        if not part.strip():
            continue
        try:
            email = normalise_email(part)
        except ValueError as exc:
            collector.errors.append(RowError(collector.line, "debtor_email", str(exc)))
            continue
        if email not in emails:
            emails.append(email)
    return tuple(emails)


# The debtor columns in the canonical order, `debtor_ref` first.
DEBTOR_COLUMNS = tuple(column for column in COLUMNS if column.startswith("debtor_"))


# The cells whose checks are costly; a later line repeating them for the same debtor skips them.
IDENTITY_COLUMNS = ("debtor_siren", "debtor_vat", "debtor_email", "debtor_phone", "debtor_country")
_IDENTITY_POSITIONS = tuple(DEBTOR_COLUMNS.index(column) for column in IDENTITY_COLUMNS)


@lru_cache(maxsize=8192)
def _parse_debtor(
    cells: tuple[str, ...], identity: bool = True
) -> tuple[DebtorFields, tuple[tuple[str, str], ...]]:
    """Validates a debtor's cells; errors come back without a line number. With `identity` false the
    identifier cells are not read (the caller knows them unchanged since an accepted line)."""
    c = _Collector(0, dict(zip(DEBTOR_COLUMNS, cells, strict=True)))
    ref = c.required("debtor_ref")
    country = phone = siren = vat = None
    emails: tuple[str, ...] = ()
    if identity:
        country = c.parse("debtor_country", normalise_country)
        phone = c.parse("debtor_phone", lambda raw: normalise_phone(raw, country or "FR"))
        siren = c.parse("debtor_siren", normalise_siren)
        vat = c.parse("debtor_vat", normalise_vat)
        emails = _emails(c)
    debtor = DebtorFields(
        ref=ref,
        name=c.text("debtor_name") or None,
        debtor_type=c.choice("debtor_type", DEBTOR_TYPES),
        segment=c.choice("debtor_segment", SEGMENTS),
        siren=siren,
        vat_number=vat,
        emails=emails,
        phone=phone,
        phone_is_mobile=bool(phone) and is_mobile_phone(phone or ""),
        address=_address(c.text("debtor_address", 500)) or None,
        postcode=c.text("debtor_postcode", 10) or None,
        city=c.text("debtor_city", 100) or None,
        country=country,
        language=c.choice("debtor_language", LANGUAGES, upper=False),
    )
    return debtor, tuple((error.column, error.message) for error in c.errors)


def _digest(parts: tuple[str, ...]) -> bytes:
    return blake2b("\x1f".join(parts).encode(), digest_size=16).digest()


class DebtorCellsSeen:
    """For each debtor of a file, digests of the cells of its last accepted line: all of them, and
    its identifiers alone. A line repeating the last cells carries nothing new (merging them again
    changes nothing); one repeating the last identifiers needs their costly checks no more. Only the
    *last* line counts, so a value that changes and changes back is merged each time, as the
    contract says (a later line's details win). About 200 bytes per debtor."""

    def __init__(self) -> None:
        self._cells: dict[str, bytes] = {}
        self._identity: dict[str, bytes] = {}

    def check(self, cells: tuple[str, ...]) -> tuple[str, bytes, bytes, bool, bool]:
        ref = cells[0].strip()
        whole = _digest(cells)
        identity = _digest(tuple(cells[i] for i in _IDENTITY_POSITIONS))
        return ref, whole, identity, self._cells.get(ref) == whole, self._identity.get(ref) == identity

    def accept(self, ref: str, whole: bytes, identity: bytes) -> None:
        self._cells[ref] = whole
        self._identity[ref] = identity


def _bare_debtor(ref: str) -> DebtorFields:
    return DebtorFields(
        ref=ref,
        name=None,
        debtor_type=None,
        segment=None,
        siren=None,
        vat_number=None,
        emails=(),
        phone=None,
        phone_is_mobile=False,
        address=None,
        postcode=None,
        city=None,
        country=None,
        language=None,
    )


def parse_line(
    line: int, row: dict[str, str], seen: DebtorCellsSeen | None = None
) -> InvoiceLine | list[RowError]:
    """Every problem of the line is reported, not only the first, so one pass fixes the file.
    With `seen`, a debtor's cells already met without error come back as the bare reference."""
    if STRUCTURE_ERROR in row:
        return [RowError(line, "", row[STRUCTURE_ERROR])]
    c = _Collector(line, row)
    number = c.required("invoice_number")
    cells = tuple(row.get(column, "") for column in DEBTOR_COLUMNS)
    ref, whole, identity, same_cells, same_identity = (
        seen.check(cells) if seen is not None else ("", b"", b"", False, False)
    )
    if same_cells:
        debtor = _bare_debtor(ref)
    else:
        debtor, debtor_errors = _parse_debtor(cells, not same_identity)
        c.errors.extend(RowError(line, column, message) for column, message in debtor_errors)
    issue_date = c.parse("issue_date", parse_date)
    due_date = c.parse("due_date", parse_date)
    for column in ("issue_date", "due_date"):
        if not row.get(column, "").strip():
            c.errors.append(RowError(line, column, "required, but the cell is empty"))
    if issue_date and due_date and due_date < issue_date:
        c.errors.append(
            RowError(
                line,
                "due_date",
                f"due date {due_date:%d/%m/%Y} is before the issue date {issue_date:%d/%m/%Y}",
            )
        )
    amount = c.amount("amount")
    if not row.get("amount", "").strip():
        c.errors.append(RowError(line, "amount", "required, but the cell is empty"))
    elif amount is not None and amount <= 0:
        c.errors.append(RowError(line, "amount", f"must be greater than 0 (got {row['amount'].strip()})"))
    amount_excl_tax = c.amount("amount_excl_tax")
    if amount_excl_tax is not None and amount_excl_tax < 0:
        c.errors.append(RowError(line, "amount_excl_tax", "must not be negative"))
    open_amount = c.amount("open_amount")
    if open_amount is not None and amount is not None and not (0 <= open_amount <= amount):
        c.errors.append(
            RowError(line, "open_amount", f"{open_amount} must be between 0 and the amount {amount}")
        )
    document_type = c.choice("document_type", DOCUMENT_TYPES, upper=False) or "invoice"
    applies_to = c.text("applies_to", 64)
    if applies_to and document_type != "credit_note":
        c.errors.append(RowError(line, "applies_to", "only a credit note applies to an invoice"))
    if applies_to and applies_to == number:
        c.errors.append(RowError(line, "applies_to", "a credit note cannot apply to itself"))
    currency = c.parse("currency", normalise_currency) or "EUR"
    disputed = c.parse("disputed", parse_bool) or False
    if disputed and document_type == "credit_note":
        c.errors.append(RowError(line, "disputed", "a credit note cannot be disputed"))
    result = InvoiceLine(
        line=line,
        number=number,
        debtor=debtor,
        document_type=document_type,
        issue_date=issue_date or date.min,
        due_date=due_date or date.min,
        amount=amount or Decimal(0),
        amount_excl_tax=amount_excl_tax,
        currency=currency,
        open_amount=open_amount,
        paid_date=c.parse("paid_date", parse_date),
        disputed=disputed,
        po_number=c.text("po_number", 64),
        applies_to=applies_to,
        delivery_date=c.parse("delivery_date", parse_date),
        payment_terms=c.text("payment_terms", 120),
    )
    if c.errors:
        return c.errors
    if seen is not None and not same_cells:
        # Only a line accepted whole: its debtor is then created or updated from these cells.
        seen.accept(ref, whole, identity)
    return result


def _end_of_month(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


@lru_cache(maxsize=4096)
def _latest_lawful_due_date(issue_date: date) -> date:
    """French law caps agreed terms at 60 days from the invoice date, or 45 days end of month
    (L441-10 I); either reading of '45 days end of month' is accepted."""
    return max(
        issue_date + timedelta(days=60),
        _end_of_month(issue_date + timedelta(days=45)),
        _end_of_month(issue_date) + timedelta(days=45),
    )


def payment_term_warning(line: InvoiceLine) -> str | None:
    if line.document_type != "invoice":
        return None
    if line.due_date > _latest_lawful_due_date(line.issue_date):
        days = (line.due_date - line.issue_date).days
        return (
            f"payment term of {days} days exceeds the legal cap"
            " (60 days, or 45 days end of month; C. com. L441-10)"
        )
    return None
