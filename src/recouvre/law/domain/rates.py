"""Rate tables as data: the ECB main refinancing rate and the legal interest rates by half-year.

french-law.md § Late-payment penalties and digest § 1. The product ships its own table
(`law/data/rates.csv`, one row per half-year, with its date and provenance); `recouvre rates update FILE`
stores a newer one under `DATA_DIR/rates/`. The table in force is the one with the latest table date.
A lookup for a half-year the table does not cover returns None: callers list it as missing, never guess.
Pure: no Django; the data directory is passed in."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

PACKAGED_TABLE = Path(__file__).resolve().parent.parent / "data" / "rates.csv"
STORE_FOLDER = "rates"

COLUMNS = (
    "table_date",
    "semester_start",
    "semester_end",
    "ecb_mro_pct",
    "til_autres_cas_pct",
    "til_creancier_personne_physique_non_pro_pct",
    "status",
    "confidence",
    "sources",
)
STATUSES = ("confirmed", "provisional")


@dataclass(frozen=True, slots=True, order=True)
class HalfYear:
    year: int
    half: int  # 1: January to June, 2: July to December

    @classmethod
    def of(cls, day: date) -> HalfYear:
        return cls(day.year, 1 if day.month <= 6 else 2)

    @property
    def start(self) -> date:
        return date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def end(self) -> date:
        return date(self.year, 6, 30) if self.half == 1 else date(self.year, 12, 31)

    def following(self) -> HalfYear:
        return HalfYear(self.year, 2) if self.half == 1 else HalfYear(self.year + 1, 1)

    def __str__(self) -> str:
        return f"{self.year}-H{self.half}"


@dataclass(frozen=True, slots=True)
class HalfYearRates:
    """Rates in percent. `ecb_mro` is the rate in force on the half-year's first day (1 January or
    1 July), fixed for the whole half-year (L441-10 II)."""

    half_year: HalfYear
    ecb_mro: Decimal | None
    legal_other: Decimal | None  # "autres cas": the rate for a business creditor
    legal_consumer_creditor: Decimal | None  # creditor a natural person not acting professionally
    provisional: bool
    confidence: str = ""
    sources: str = ""


@dataclass(frozen=True, slots=True)
class RateTable:
    table_date: date
    rows: tuple[HalfYearRates, ...]
    source: str = ""

    def row(self, half_year: HalfYear) -> HalfYearRates | None:
        for row in self.rows:
            if row.half_year == half_year:
                return row
        return None

    def ecb_mro(self, half_year: HalfYear) -> Decimal | None:
        row = self.row(half_year)
        return row.ecb_mro if row else None

    def legal_other(self, half_year: HalfYear) -> Decimal | None:
        row = self.row(half_year)
        return row.legal_other if row else None

    def legal_consumer_creditor(self, half_year: HalfYear) -> Decimal | None:
        row = self.row(half_year)
        return row.legal_consumer_creditor if row else None

    def provisional(self, half_year: HalfYear) -> bool:
        row = self.row(half_year)
        return bool(row and row.provisional)


class RateTableError(ValueError):
    """A table file refused; names the line (1 is the header) and the column."""

    def __init__(self, message: str, *, line: int, column: str = "") -> None:
        self.line, self.column, self.message = line, column, message
        where = f"line {line}" + (f", column {column}" if column else "")
        super().__init__(f"{where}: {message}")


def _day(text: str, line: int, column: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise RateTableError(f"{text!r} is not a date (YYYY-MM-DD)", line=line, column=column) from None


def _rate(text: str, line: int, column: str) -> Decimal | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise RateTableError(f"{text!r} is not a percentage", line=line, column=column) from None
    if not value.is_finite() or not Decimal("-5") <= value <= Decimal("100"):
        raise RateTableError(f"{text} is not a plausible rate in percent", line=line, column=column)
    return value


def parse_rate_table(text: str, source: str = "") -> RateTable:
    """The whole file is checked before anything is returned; the first fault raises RateTableError."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if not header or not any(name.strip() for name in header):
        raise RateTableError("the file is empty", line=1)
    header = [name.strip() for name in header]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise RateTableError(f"missing column(s): {', '.join(missing)}", line=1)
    position = {name: header.index(name) for name in COLUMNS}
    table_date: date | None = None
    rows: dict[HalfYear, HalfYearRates] = {}
    for line, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(header):
            raise RateTableError(f"{len(values)} values for {len(header)} columns", line=line)
        cell = {name: values[index] for name, index in position.items()}
        day = _day(cell["table_date"], line, "table_date")
        if table_date is None:
            table_date = day
        elif day != table_date:
            raise RateTableError(
                f"every row must carry the same table date ({table_date.isoformat()})",
                line=line,
                column="table_date",
            )
        start = _day(cell["semester_start"], line, "semester_start")
        half_year = HalfYear.of(start)
        if start != half_year.start:
            raise RateTableError(
                "a half-year starts on 1 January or 1 July", line=line, column="semester_start"
            )
        if _day(cell["semester_end"], line, "semester_end") != half_year.end:
            raise RateTableError(
                f"the half-year {half_year} ends on {half_year.end.isoformat()}",
                line=line,
                column="semester_end",
            )
        if half_year in rows:
            raise RateTableError(f"{half_year} appears twice", line=line, column="semester_start")
        status = cell["status"].strip()
        if status not in STATUSES:
            raise RateTableError(
                f"{status!r} is not one of {', '.join(STATUSES)}", line=line, column="status"
            )
        rows[half_year] = HalfYearRates(
            half_year=half_year,
            ecb_mro=_rate(cell["ecb_mro_pct"], line, "ecb_mro_pct"),
            legal_other=_rate(cell["til_autres_cas_pct"], line, "til_autres_cas_pct"),
            legal_consumer_creditor=_rate(
                cell["til_creancier_personne_physique_non_pro_pct"],
                line,
                "til_creancier_personne_physique_non_pro_pct",
            ),
            provisional=status == "provisional",
            confidence=cell["confidence"].strip(),
            sources=cell["sources"].strip(),
        )
    if table_date is None:
        raise RateTableError("the file holds no rates", line=2)
    return RateTable(table_date, tuple(sorted(rows.values(), key=lambda r: r.half_year)), source)


def read_rate_table(path: Path) -> RateTable:
    # Every debtor and invoice page asks for the table in force: parse a file once per version of it
    # (its size and modification time), not once per request.
    stat = path.stat()
    return _read_rate_table(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _read_rate_table(path: Path, _mtime_ns: int, _size: int) -> RateTable:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise RateTableError("the file is not UTF-8 text", line=1) from None
    return parse_rate_table(text, source=path.name)


def _stored(data_dir: Path | None) -> Iterator[Path]:
    if data_dir is None:
        return
    folder = data_dir / STORE_FOLDER
    if folder.is_dir():
        yield from sorted(folder.glob("rates-*.csv"))


def table_in_force(data_dir: Path | None) -> RateTable:
    """The packaged table, unless a table loaded since carries a later (or the same) table date.
    Stored tables were validated when loaded; one damaged since is skipped rather than trusted."""
    best = read_rate_table(PACKAGED_TABLE)
    for path in _stored(data_dir):
        try:
            table = read_rate_table(path)
        except (RateTableError, OSError):
            continue
        if table.table_date >= best.table_date:
            best = table
    return best


def table_store(text: str, data_dir: Path) -> tuple[RateTable, Path]:
    """Validates the whole text, then writes it atomically as `DATA_DIR/rates/rates-<table date>.csv`.
    Loading the same table again rewrites the same file (idempotent)."""
    table = parse_rate_table(text)
    in_force = table_in_force(data_dir)
    if table.table_date < in_force.table_date:
        raise RateTableError(
            f"the table is dated {table.table_date.isoformat()}, older than the table in force "
            f"({in_force.table_date.isoformat()})",
            line=2,
            column="table_date",
        )
    folder = data_dir / STORE_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"rates-{table.table_date.isoformat()}.csv"
    handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return RateTable(table.table_date, table.rows, target.name), target
