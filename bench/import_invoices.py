"""Benchmark of the canonical CSV invoice import (docs/performance.md, "CSV invoice import").

    .venv/bin/python bench/import_invoices.py [--invoices N] [--debtors M]
        [--backends sqlite,postgresql] [--keep]

1. Generates a realistic canonical CSV of N invoice lines (shared/spec/invoices-csv.md) into a temporary
   file, streaming: `;` delimiter, DD/MM/YYYY dates, decimal commas, debtor columns filled on a debtor's
   first line and mostly repeated after, valid SIRENs, emails, phones, ~20% of invoices partly or fully
   paid (open_amount < amount, paid_date when paid).
2. For each backend, each step in a fresh subprocess so that its peak memory is its own: a fresh database
   (SQLite file in the temporary directory; PostgreSQL: drop and create the database named in --pg-url),
   migrate, create the organisation; import the file (timed, peak RSS); import it again (all unchanged).
3. The physical bound, in the same run: the same rows, parsed minimally (csv module, values converted to
   their types), loaded into an empty table shaped like ledger_invoice (`bench_invoice`, no index beyond
   the primary key) with PostgreSQL `COPY ... FROM STDIN` or SQLite `executemany` in one transaction.
4. Prints one table (lines/s, bound, ratio import/bound, peak MB) and, last, one JSON line with the same.

A benchmark prints figures; it asserts nothing and is never run by the test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
SRC = REPO / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))

from recouvre.imports.domain.csv_reader import COLUMNS  # noqa: E402 - after the sys.path line

DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/recouvre_bench"
ORGANISATION_NAME = "Banc d'essai Distribution SAS"
# The product's own list: the file has every canonical column.
HEADER = COLUMNS
DEBTOR_COLUMNS = tuple(c for c in HEADER if c.startswith("debtor_") and c != "debtor_ref")
SQLITE_BOUND_TABLE = """
CREATE TABLE bench_invoice (
    id integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    organisation_id bigint NOT NULL,
    debtor_id bigint NOT NULL,
    number varchar(64) NOT NULL,
    document_type varchar(12) NOT NULL,
    status varchar(10) NOT NULL,
    issue_date date NOT NULL,
    due_date date NOT NULL,
    delivery_date date NULL,
    amount decimal NOT NULL,
    amount_excl_tax decimal NULL,
    currency varchar(3) NOT NULL,
    open_amount decimal NOT NULL,
    paid_date date NULL,
    po_number varchar(64) NOT NULL,
    payment_terms varchar(120) NOT NULL,
    applies_to_id bigint NULL,
    contractual_rate decimal NULL,
    origin varchar(10) NOT NULL,
    source_disputed bool NOT NULL,
    last_import_id bigint NULL,
    created_at datetime NOT NULL,
    updated_at datetime NOT NULL
)
"""
# The product's SQLite connection settings (config/settings.py), for the bound too.
SQLITE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON")


# ------------------------------------------------------------------------------------------------
# The CSV file
# ------------------------------------------------------------------------------------------------

# (text written in the payment_terms cell, or "" when the export leaves it empty; due date rule)
PAYMENT_TERMS: tuple[tuple[str, str, int], ...] = (
    ("30 jours", "days", 30),
    ("30 jours fin de mois", "eom", 30),
    ("45 jours fin de mois", "eom", 45),
    ("60 jours", "days", 60),
    ("45 jours", "days", 45),
    ("à réception", "days", 0),
    ("comptant", "days", 0),
)
TERM_WEIGHTS = (35, 15, 15, 15, 10, 5, 5)
# 0.3% of invoices carry terms over the legal cap: the import warns, grouped into one line.
LONG_TERMS = ("90 jours", "days", 90)
SEGMENTS = ("TPE", "PME", "ETI", "GE")
SEGMENT_WEIGHTS = (50, 30, 15, 5)
TRADES = ("Transports", "Bâtiment", "Distribution", "Services", "Industrie")
EMAIL_USERS = ("compta", "comptabilite", "factures", "fournisseurs", "contact", "paiements", "admin")
# National prefixes (0 + two digits) that phonenumbers accepts as metropolitan fixed lines and mobiles;
# 026/069x (Réunion, Mayotte) and 0639 are left out.
PHONE_PREFIXES = tuple(
    [f"0{a}{b}" for a in "1345" for b in "12345678"]
    + [f"02{b}" for b in "1234578"]
    + [f"06{b}" for b in "01245678"]
    + [f"07{b}" for b in "5678"]
)


def _pools(seed: int) -> dict[str, list[Any]]:
    """Names, streets and towns drawn once from Faker (fr_FR), then combined per debtor."""
    from faker import Faker

    fake = Faker("fr_FR")
    fake.seed_instance(seed)
    return {
        "company": [fake.company() for _ in range(4000)],
        "last": [fake.last_name() for _ in range(2000)],
        "first": [fake.first_name() for _ in range(1000)],
        "street": [fake.street_address() for _ in range(4000)],
        "town": [(fake.postcode(), fake.city()) for _ in range(3000)],
        "public": [
            f"{kind} de {fake.city()}"
            for kind in ("Mairie", "Communauté de communes", "Centre hospitalier", "Lycée")
            for _ in range(250)
        ],
    }


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "".join(ch if ch.isalnum() else "-" for ch in ascii_text).strip("-").replace("--", "-") or "client"


def _amount_text(value: Decimal, rng: random.Random) -> str:
    """1234,56 or, for a third of the amounts above 1000, with a thousands space: 1 234,56."""
    text = f"{value:.2f}".replace(".", ",")
    if value >= 1000 and rng.random() < 0.33:
        whole, cents = text.split(",")
        groups = []
        while len(whole) > 3:
            whole, groups = whole[:-3], [whole[-3:], *groups]
        text = " ".join([whole, *groups]) + "," + cents
    return text


def _fr(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def _end_of_month(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


class DebtorMaker:
    """A debtor's cells are derived from its index and the seed alone, so the generator keeps no table
    of debtors: one bit per debtor says whether its first line was written."""

    def __init__(self, seed: int, pools: dict[str, list[Any]]) -> None:
        from recouvre.kernel.identifiers import siren_with_check_digit

        self.seed = seed
        self.pools = pools
        self.siren_with_check_digit = siren_with_check_digit

    def cells(self, index: int) -> tuple[str, dict[str, str]]:
        from stdnum import luhn

        rng = random.Random(self.seed * 1_000_003 + index)
        pools = self.pools
        kind = rng.choices(("B2B", "PUBLIC", "B2C"), (90, 7, 3))[0]
        if kind == "B2C":
            name = f"{rng.choice(pools['first'])} {rng.choice(pools['last'])}"
        elif kind == "PUBLIC":
            name = rng.choice(pools["public"])
        else:
            name = rng.choice(pools["company"])
            if rng.random() < 0.3:
                name = f"{name} {rng.choice(TRADES)}"
        letters = "".join(ch for ch in _slug(name).upper() if ch.isalpha())[:6] or "CLIENT"
        ref = f"411{letters}{index:06d}"
        cells = dict.fromkeys(DEBTOR_COLUMNS, "")
        cells["debtor_name"] = name
        cells["debtor_type"] = kind if kind != "B2B" or rng.random() < 0.6 else ""  # B2B is the default
        if kind == "B2B" and rng.random() < 0.9:
            cells["debtor_segment"] = rng.choices(SEGMENTS, SEGMENT_WEIGHTS)[0]
        if kind != "B2C" and rng.random() < 0.85:
            siren = self.siren_with_check_digit(str(rng.randrange(10_000_000, 100_000_000)))
            style = rng.random()
            if style < 0.08:  # a SIRET: SIREN + NIC, Luhn over the 14 digits
                siret = siren + f"{rng.randrange(1, 10_000):04d}"
                cells["debtor_siren"] = siret + luhn.calc_check_digit(siret)
            elif style < 0.3:
                cells["debtor_siren"] = f"{siren[:3]} {siren[3:6]} {siren[6:]}"
            else:
                cells["debtor_siren"] = siren
            if kind == "B2B" and rng.random() < 0.6:
                key = (12 + 3 * (int(siren) % 97)) % 97
                cells["debtor_vat"] = f"FR{key:02d}{siren}"
        domain = _slug(name)[:30] + rng.choice((".fr", ".fr", ".fr", ".com"))
        if rng.random() < 0.85:
            emails = [f"{rng.choice(EMAIL_USERS)}@{domain}"]
            if rng.random() < 0.2:
                first = _slug(rng.choice(pools["first"]))
                emails.append(f"{first}.{_slug(rng.choice(pools['last']))}@{domain}")
            cells["debtor_email"] = ", ".join(emails)
        if rng.random() < 0.7:
            digits = rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10_000_000):07d}"
            style = rng.random()
            if style < 0.5:
                cells["debtor_phone"] = " ".join(digits[i : i + 2] for i in range(0, 10, 2))
            elif style < 0.7:
                cells["debtor_phone"] = ".".join(digits[i : i + 2] for i in range(0, 10, 2))
            elif style < 0.85:
                cells["debtor_phone"] = (
                    "+33 " + digits[1] + " " + " ".join(digits[i : i + 2] for i in range(2, 10, 2))
                )
            else:
                cells["debtor_phone"] = digits
        if rng.random() < 0.95:
            street = rng.choice(pools["street"])
            if rng.random() < 0.15:
                street += f" / BP {rng.randrange(1, 999)}"
            postcode, city = rng.choice(pools["town"])
            cells["debtor_address"] = street
            cells["debtor_postcode"] = postcode
            cells["debtor_city"] = city.upper() if rng.random() < 0.3 else city
        cells["debtor_country"] = "FR" if rng.random() < 0.9 else ""
        if rng.random() < 0.03:
            cells["debtor_language"] = "en"
        return ref, cells


def generate_csv(path: Path, invoices: int, debtors: int, seed: int, today: date) -> dict[str, Any]:
    """Writes the file line by line; what is kept is one byte per debtor."""
    started = time.perf_counter()
    rng = random.Random(seed)
    maker = DebtorMaker(seed, _pools(seed))
    seen = bytearray(debtors)
    first_day = today - timedelta(days=540)
    span = 540 - 1
    stats = {"partly_paid": 0, "paid": 0, "debtors": 0, "long_terms": 0}
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("\ufeff")  # spreadsheet exports usually start with a byte-order mark
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADER)
        for i in range(invoices):
            index = rng.randrange(debtors)
            ref, debtor_cells = maker.cells(index)
            row = dict.fromkeys(HEADER, "")
            row["debtor_ref"] = ref
            if not seen[index]:
                seen[index] = 1
                stats["debtors"] += 1
                row.update(debtor_cells)
            elif rng.random() < 0.85:  # most exports repeat the account's details on every line
                row.update(debtor_cells)
            issue = first_day + timedelta(days=(i * span) // max(invoices - 1, 1))
            row["invoice_number"] = f"FA{issue.year}-{i + 1:07d}"
            if rng.random() < 0.003:
                terms, rule, days = LONG_TERMS
                stats["long_terms"] += 1
            else:
                terms, rule, days = rng.choices(PAYMENT_TERMS, TERM_WEIGHTS)[0]
            due = (
                _end_of_month(issue + timedelta(days=days)) if rule == "eom" else issue + timedelta(days=days)
            )
            row["issue_date"] = _fr(issue)
            row["due_date"] = _fr(due)
            if rng.random() < 0.7:
                row["payment_terms"] = terms
            if rng.random() < 0.3:
                row["delivery_date"] = _fr(issue - timedelta(days=rng.randrange(0, 15)))
            amount = max(Decimal("12.00"), Decimal(f"{rng.lognormvariate(7.0, 1.2):.2f}"))
            amount = min(amount, Decimal("2500000.00"))
            row["amount"] = _amount_text(amount, rng)
            if rng.random() < 0.8:
                row["amount_excl_tax"] = _amount_text(
                    (amount / Decimal("1.2")).quantize(Decimal("0.01")), rng
                )
            row["currency"] = "EUR" if rng.random() < 0.9 else ""
            settled = rng.random()
            if settled < 0.12:  # paid in full, with the day it was paid
                stats["paid"] += 1
                row["open_amount"] = "0,00"
                latest = min(today, due + timedelta(days=60))
                row["paid_date"] = _fr(
                    issue + timedelta(days=rng.randrange(0, max((latest - issue).days, 0) + 1))
                )
            elif settled < 0.20:  # partly paid
                stats["partly_paid"] += 1
                share = Decimal(rng.randrange(10, 91)) / 100
                open_amount = (amount * share).quantize(Decimal("0.01"))
                row["open_amount"] = _amount_text(max(open_amount, Decimal("0.01")), rng)
            elif rng.random() < 0.9:
                row["open_amount"] = row["amount"]
            row["disputed"] = rng.choice(("0", "0", "0", "non", ""))
            if rng.random() < 0.4:
                row["po_number"] = f"BC-{rng.randrange(100000, 999999)}"
            if rng.random() < 0.5:
                row["document_type"] = "invoice"
            writer.writerow(row.values())
    return {
        **stats,
        "lines": invoices,
        "bytes": path.stat().st_size,
        "seconds": round(time.perf_counter() - started, 2),
    }


# ------------------------------------------------------------------------------------------------
# Child processes: one step each, one JSON document on the last line of stdout
# ------------------------------------------------------------------------------------------------


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def _spread(samples: list[tuple[float, ...]], count: int = 10) -> list[tuple[float, ...]]:
    """About `count` samples evenly spread over the file, the last one included."""
    step = max(1, len(samples) // count)
    picked = samples[step - 1 :: step]
    if samples and picked[-1:] != samples[-1:]:
        picked.append(samples[-1])
    return picked


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recouvre.config.settings")
    import django

    django.setup()


def child_setup(args: argparse.Namespace) -> dict[str, Any]:
    _django()
    from django.core.management import call_command
    from django.db import connection

    from recouvre.tenancy.domain.services import organisation_create, system_user

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0, stdout=io.StringIO())
    migrated = time.perf_counter() - started
    organisation = organisation_create(name=ORGANISATION_NAME)
    system_user()
    return {
        "organisation": organisation.pk,
        "migrate_seconds": round(migrated, 2),
        "server_version": connection.Database.sqlite_version
        if connection.vendor == "sqlite"
        else connection.cursor().connection.info.parameter_status("server_version"),
    }


class SqlStats:
    """With --sql-stats: wall time and count per statement shape (Django's execute wrapper), and the
    commit's time, to tell the database's share from Python's."""

    def __init__(self) -> None:
        import re

        self.shapes: dict[str, list[float]] = {}
        self._lists = re.compile(r"(%s|\?)(, (%s|\?))+")
        self._rows = re.compile(r"(\(\.\.\.\))(, \(\.\.\.\))+")

    def _shape(self, sql: str) -> str:
        return self._rows.sub(r"\1, …", self._lists.sub("...", sql))[:160]

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        shape = self._shape(sql)
        with contextlib.suppress(AttributeError):
            context["cursor"].cursor.bench_shape = shape  # for the SQLite fetches below
        try:
            return execute(sql, params, many, context)
        finally:
            entry = self.shapes.setdefault(shape, [0, 0.0])
            entry[0] += 1
            entry[1] += time.perf_counter() - started

    def watch_commit(self, connection: Any) -> None:
        commit = connection._commit

        def timed() -> None:
            started = time.perf_counter()
            try:
                commit()
            finally:
                entry = self.shapes.setdefault("COMMIT", [0, 0.0])
                entry[0] += 1
                entry[1] += time.perf_counter() - started

        connection._commit = timed

    def watch_copy(self) -> None:
        """PostgreSQL COPY bypasses the execute wrapper: its whole block is timed, the building of
        the rows written inside it included."""
        import psycopg

        copy = psycopg.Cursor.copy
        stats = self

        @contextlib.contextmanager
        def timed(self: Any, statement: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
            started = time.perf_counter()
            try:
                with copy(self, statement, *args, **kwargs) as block:
                    yield block
            finally:
                shape = "COPY block: " + stats._shape(str(statement))
                entry = stats.shapes.setdefault(shape, [0, 0.0])
                entry[0] += 1
                entry[1] += time.perf_counter() - started

        psycopg.Cursor.copy = timed  # type: ignore[method-assign]

    def watch_sqlite_fetches(self) -> None:
        """SQLite computes a query's rows while they are fetched, after `execute` returned: the
        fetches are timed too, as one entry."""
        from django.db.backends.sqlite3.base import SQLiteCursorWrapper

        stats = self

        def timed(name: str) -> Any:
            method = getattr(SQLiteCursorWrapper, name)

            def wrapper(self: Any, *args: Any) -> Any:
                started = time.perf_counter()
                try:
                    return method(self, *args)
                finally:
                    shape = "fetching the rows of: " + getattr(self, "bench_shape", "?")
                    entry = stats.shapes.setdefault(shape, [0, 0.0])
                    entry[0] += 1
                    entry[1] += time.perf_counter() - started

            return wrapper

        for name in ("fetchone", "fetchmany", "fetchall"):
            setattr(SQLiteCursorWrapper, name, timed(name))

    def total(self) -> float:
        return sum(seconds for _count, seconds in self.shapes.values())

    def top(self, count: int = 25) -> list[dict[str, Any]]:
        ranked = sorted(self.shapes.items(), key=lambda item: -item[1][1])[:count]
        return [{"sql": sql, "count": n, "seconds": round(t, 3)} for sql, (n, t) in ranked]


def child_import(args: argparse.Namespace) -> dict[str, Any]:
    _django()
    from django.conf import settings
    from django.db import connection
    from django_scopes import scope

    from recouvre.imports.domain.services import invoices_import
    from recouvre.ledger.models import Allocation, Contact, Debtor, Invoice, Payment
    from recouvre.tenancy.domain.services import system_user
    from recouvre.tenancy.models import Organisation
    from recouvre.timeline.models import Event

    organisation = Organisation.objects.get(pk=args.organisation)
    actor = system_user()
    connection.ensure_connection()
    base_mb = _peak_mb()
    profiler: Any = None
    if args.profile == "cprofile":
        import cProfile

        profiler = cProfile.Profile()
    elif args.profile == "pyinstrument":
        from pyinstrument import Profiler

        profiler = Profiler(interval=args.profile_interval)
    # (lines read, seconds since the start, resident MB[, seconds in SQL so far]) after each chunk
    rss_samples: list[tuple[float, ...]] = []
    if args.pg_explain and connection.vendor == "postgresql":
        # Diagnostics: this session's slow statements are logged with their plans in the server log.
        with connection.cursor() as cursor:
            cursor.execute("LOAD 'auto_explain'")
            cursor.execute(f"SET auto_explain.log_min_duration = {int(args.pg_explain)}")
            cursor.execute("SET auto_explain.log_analyze = on")
            cursor.execute("SET auto_explain.log_buffers = on")
    load = os.getloadavg()[0]
    sql_stats = SqlStats() if args.sql_stats else None
    watching: Any = contextlib.nullcontext()
    if sql_stats is not None:
        sql_stats.watch_commit(connection)
        if connection.vendor == "postgresql":
            sql_stats.watch_copy()
        else:
            sql_stats.watch_sqlite_fetches()
        watching = connection.execute_wrapper(sql_stats)
    if args.no_default_ordering:
        # Diagnostics: what `.order_by()` on the import's lookups would change (the models' default
        # ordering adds an ORDER BY to every query, and SQLite may then pick the ordering's index).
        from recouvre.ledger.models import Contact, Debtor, Invoice

        for model in (Contact, Debtor, Invoice):
            model._meta.ordering = []
    next_analyze = [args.chunk_hint]

    def progress(lines: int) -> None:
        if args.analyze_during and lines >= next_analyze[0]:
            # Diagnostics: fresh planner statistics inside the import's transaction, each time the
            # file read so far has doubled (ANALYZE sees the transaction's own new rows).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE ledger_invoice, ledger_debtor, ledger_contact")
            next_analyze[0] = lines * 2
        rss_samples.append(
            (
                lines,
                round(time.perf_counter() - started, 2),
                round(_rss_mb(), 1),
                *([round(sql_stats.total(), 2)] if sql_stats is not None else []),
            )
        )

    with scope(organisation=organisation), open(args.file, "rb") as stream, watching:
        cpu0, started = _cpu_seconds(), time.perf_counter()
        if profiler is not None:
            profiler.enable() if args.profile == "cprofile" else profiler.start()
        report = invoices_import(
            organisation=organisation,
            stream=stream,
            file_name=Path(args.file).name,
            actor=actor,
            today=date.fromisoformat(args.today),
            progress=progress,
        )
        if profiler is not None:
            profiler.disable() if args.profile == "cprofile" else profiler.stop()
        elapsed = time.perf_counter() - started
        cpu = _cpu_seconds() - cpu0
        peak_mb = _peak_mb()
        counts = {
            "invoices": Invoice.objects.count(),
            "debtors": Debtor.objects.count(),
            "contacts": Contact.objects.count(),
            "payments": Payment.objects.count(),
            "allocations": Allocation.objects.count(),
            "events": Event.objects.count(),
        }
    if profiler is not None:
        _write_profile(profiler, args)
    return {
        "seconds": round(elapsed, 3),
        "cpu_seconds": round(cpu, 3),
        "sql": sql_stats.top() if sql_stats is not None else None,
        "lines": report.lines,
        "ok": report.ok,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "error_count": report.error_count,
        "errors": [{"line": e.line, "column": e.column, "message": e.message} for e in report.errors[:20]],
        "warnings": report.warnings[:10],
        "peak_mb": round(peak_mb, 1),
        "base_mb": round(base_mb, 1),
        "after_chunks": _spread(rss_samples),
        "load_before": round(load, 2),
        "load_after": round(os.getloadavg()[0], 2),
        "chunk_size": settings.IMPORT_CHUNK_SIZE,
        "counts": counts,
    }


def _write_profile(profiler: Any, args: argparse.Namespace) -> None:
    out = Path(args.profile_out)
    if args.profile == "cprofile":
        import pstats

        profiler.dump_stats(str(out.with_suffix(".prof")))
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats("tottime").print_stats(40)
        stats.sort_stats("cumulative").print_stats(80)
        out.with_suffix(".txt").write_text(text.getvalue())
    else:
        out.with_suffix(".txt").write_text(profiler.output_text(unicode=True, color=False, show_all=False))
        out.with_suffix(".html").write_text(profiler.output_html())


def _bound_rows(path: str, today: date) -> Iterator[tuple[Any, ...]]:
    """The minimal parse: csv module, dates and amounts to their types, debtor ref to an integer id."""

    def day(text: str) -> date | None:
        return date(int(text[6:10]), int(text[3:5]), int(text[0:2])) if text else None

    def amount(text: str) -> Decimal | None:
        return Decimal(text.replace(" ", "").replace(",", ".")) if text else None

    debtor_ids: dict[str, int] = {}
    now = datetime.now().astimezone()
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        at = {name: i for i, name in enumerate(next(reader))}
        c_ref, c_num, c_doc, c_issue, c_due, c_deliv = (
            at[n]
            for n in (
                "debtor_ref",
                "invoice_number",
                "document_type",
                "issue_date",
                "due_date",
                "delivery_date",
            )
        )
        c_amt, c_ht, c_cur, c_open, c_paid, c_po, c_terms, c_disp = (
            at[n]
            for n in (
                "amount",
                "amount_excl_tax",
                "currency",
                "open_amount",
                "paid_date",
                "po_number",
                "payment_terms",
                "disputed",
            )
        )
        for row in reader:
            ref = row[c_ref]
            debtor_id = debtor_ids.get(ref)
            if debtor_id is None:
                debtor_id = debtor_ids[ref] = len(debtor_ids) + 1
            total = amount(row[c_amt])
            open_amount = amount(row[c_open])
            if open_amount is None:
                open_amount = total
            yield (
                1,
                debtor_id,
                row[c_num],
                row[c_doc] or "invoice",
                "paid" if open_amount == 0 else "open",
                day(row[c_issue]),
                day(row[c_due]),
                day(row[c_deliv]),
                total,
                amount(row[c_ht]),
                row[c_cur] or "EUR",
                open_amount,
                day(row[c_paid]) if open_amount == 0 else None,
                row[c_po],
                row[c_terms],
                "import",
                row[c_disp] in ("1", "true", "oui"),
                None,
                now,
                now,
            )


def _bound_columns() -> tuple[str, ...]:
    """The columns the import writes for a new invoice: the bound loads exactly those."""
    _django()
    from recouvre.imports.domain.invoice_rows import INSERT_COLUMNS

    return INSERT_COLUMNS


def child_bound(args: argparse.Namespace) -> dict[str, Any]:
    today = date.fromisoformat(args.today)
    bound_columns = _bound_columns()
    load = os.getloadavg()[0]
    columns = ", ".join(bound_columns)
    lines = 0
    if args.backend == "postgresql":
        import psycopg

        with psycopg.connect(_libpq_url(args.pg_url)) as conn:
            conn.execute("DROP TABLE IF EXISTS bench_invoice")
            conn.execute(
                "CREATE TABLE bench_invoice (LIKE ledger_invoice INCLUDING DEFAULTS INCLUDING IDENTITY)"
            )
            conn.execute("ALTER TABLE bench_invoice ADD PRIMARY KEY (id)")
            conn.commit()
            cpu0, started = _cpu_seconds(), time.perf_counter()
            with conn.cursor() as cursor, cursor.copy(f"COPY bench_invoice ({columns}) FROM STDIN") as copy:
                for row in _bound_rows(args.file, today):
                    copy.write_row(row)
                    lines += 1
            conn.commit()
            elapsed = time.perf_counter() - started
            cpu = _cpu_seconds() - cpu0
            (stored,) = conn.execute("SELECT count(*) FROM bench_invoice").fetchone()  # type: ignore[misc]
            conn.execute("DROP TABLE bench_invoice")
            conn.commit()
    else:
        import sqlite3

        db = Path(args.sqlite_file)
        db.unlink(missing_ok=True)
        conn = sqlite3.connect(db, isolation_level=None)
        for pragma in SQLITE_PRAGMAS:
            conn.execute(pragma)
        conn.execute(SQLITE_BOUND_TABLE)

        def adapted() -> Iterator[tuple[Any, ...]]:
            nonlocal lines
            for row in _bound_rows(args.file, today):
                lines += 1
                yield tuple(
                    v.isoformat(" ")
                    if isinstance(v, datetime)
                    else v.isoformat()
                    if isinstance(v, date)
                    else str(v)
                    if isinstance(v, Decimal)
                    else v
                    for v in row
                )

        placeholders = ", ".join("?" for _ in bound_columns)
        cpu0, started = _cpu_seconds(), time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(f"INSERT INTO bench_invoice ({columns}) VALUES ({placeholders})", adapted())
        conn.execute("COMMIT")
        elapsed = time.perf_counter() - started
        cpu = _cpu_seconds() - cpu0
        (stored,) = conn.execute("SELECT count(*) FROM bench_invoice").fetchone()
        conn.close()
        if not args.keep:
            for suffix in ("", "-wal", "-shm"):
                Path(str(db) + suffix).unlink(missing_ok=True)
    return {
        "seconds": round(elapsed, 3),
        "cpu_seconds": round(cpu, 3),
        "lines": lines,
        "stored": stored,
        "load_before": round(load, 2),
        "peak_mb": round(_peak_mb(), 1),
    }


CHILDREN = {"setup": child_setup, "import": child_import, "bound": child_bound}


# ------------------------------------------------------------------------------------------------
# The parent: databases, children, the table
# ------------------------------------------------------------------------------------------------


def _libpq_url(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def _pg_admin(url: str, *statements: str) -> None:
    import psycopg

    parts = urlsplit(_libpq_url(url))
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]


def _pg_analyze(url: str) -> None:
    import psycopg

    with psycopg.connect(_libpq_url(url), autocommit=True) as conn:
        conn.execute("ANALYZE")


def _pg_setting(url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(_libpq_url(url)) as conn:
        row = conn.execute("SELECT current_setting(%s)", [name]).fetchone()
    return str(row[0]) if row else ""


def _pg_database(url: str) -> str:
    name = urlsplit(url).path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(
            f"refusing to drop database {name!r}: the bench only drops a database whose name contains 'bench'"
        )
    return name


def _run_child(step: str, env: dict[str, str], argv: list[str]) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", step, *argv]
    result = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True, check=False)
    if result.returncode != 0:
        sys.stdout.write(result.stdout)
        raise SystemExit(f"{step} step failed (exit status {result.returncode}): {' '.join(command)}")
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _offending_lines(path: Path, numbers: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for no, text in enumerate(handle, start=1):
            if no in numbers:
                found[no] = text.rstrip("\r\n")
                if len(found) == len(numbers):
                    break
    return found


def _code_state() -> dict[str, Any]:
    """The commit measured, and the importer's files that differ from it (others may be editing)."""

    def git(*argv: str) -> str:
        done = subprocess.run(["git", "-C", str(REPO), *argv], capture_output=True, text=True, check=False)
        return done.stdout.strip()

    paths = ("src/recouvre/imports", "src/recouvre/kernel", "src/recouvre/ledger", "src/recouvre/timeline")
    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "changed_since_commit": git("status", "--porcelain", "--", *paths).splitlines(),
    }


def _record(work: Path, step: dict[str, Any]) -> None:
    """Each step's figures as soon as they are known: a run stopped half-way keeps them."""
    with (work / "steps.jsonl").open("a") as out:
        out.write(json.dumps(step, ensure_ascii=False) + "\n")


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run_backend(backend: str, csv_path: Path, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "RECOUVRE_DATA_DIR")}
    env["DJANGO_SETTINGS_MODULE"] = "recouvre.config.settings"
    env["RECOUVRE_LOG_LEVEL"] = env.get("RECOUVRE_LOG_LEVEL", "WARNING")
    data_dir = work / f"data-{backend}"
    data_dir.mkdir(exist_ok=True)
    env["RECOUVRE_DATA_DIR"] = str(data_dir)
    if backend == "postgresql":
        name = _pg_database(args.pg_url)
        _pg_admin(args.pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = args.pg_url
    else:
        (data_dir / "recouvre.sqlite3").unlink(missing_ok=True)
    common = ["--backend", backend, "--file", str(csv_path), "--today", args.today.isoformat()]
    _say(f"[{backend}] migrate and create the organisation")
    setup = _run_child("setup", env, common)
    result: dict[str, Any] = {"backend": backend, "server_version": setup["server_version"], "setup": setup}
    if backend == "postgresql":
        result["server_settings"] = {
            name: _pg_setting(args.pg_url, name)
            for name in ("autovacuum", "shared_buffers", "synchronous_commit", "fsync", "work_mem")
        }
    for label in ("import", "reimport"):
        _say(f"[{backend}] {label} of {args.invoices:,} lines")
        argv = [*common, "--organisation", str(setup["organisation"])]
        if args.profile != "none":
            argv += ["--profile", args.profile, "--profile-out", str(args.profile_dir / f"{backend}-{label}")]
            argv += ["--profile-interval", str(args.profile_interval)]
        if args.sql_stats:
            argv.append("--sql-stats")
        if args.pg_explain:
            argv += ["--pg-explain", str(args.pg_explain)]
        if args.analyze_during and backend == "postgresql":
            argv.append("--analyze-during")
        if args.no_default_ordering:
            argv.append("--no-default-ordering")
        if label == "reimport" and backend == "postgresql" and not args.no_analyze:
            # A default server's autovacuum analyses the new rows soon after the commit; this one may
            # run without it (see `autovacuum` in the results), so the bench does it, untimed.
            _pg_analyze(args.pg_url)
            result["analyzed_before_reimport"] = True
        run = _run_child("import", env, argv)
        result[label] = run
        _record(work, {"backend": backend, "step": label, **run})
        _say(
            f"[{backend}] {label}: {run['seconds']:.1f} s, {run['lines'] / run['seconds']:,.0f} lines/s,"
            f" created {run['created']}, updated {run['updated']}, unchanged {run['unchanged']},"
            f" errors {run['error_count']}, peak {run['peak_mb']:.0f} MB"
        )
        for entry in run["sql"] or []:
            _say(f"    {entry['seconds']:8.2f} s {entry['count']:7d} x {entry['sql']}")
        if not run["ok"]:
            wanted = {e["line"] for e in run["errors"] if e["line"]}
            text = _offending_lines(csv_path, wanted)
            for error in run["errors"]:
                _say(f"  line {error['line']} [{error['column']}]: {error['message']}")
                if error["line"] in text:
                    _say(f"    {text[error['line']]}")
            break
    _say(f"[{backend}] physical bound ({'COPY' if backend == 'postgresql' else 'executemany'})")
    bound_argv = [*common, "--pg-url", args.pg_url, "--sqlite-file", str(work / "bound.sqlite3")]
    if args.keep:
        bound_argv.append("--keep")
    result["bound"] = _run_child("bound", env, bound_argv)
    _record(work, {"backend": backend, "step": "bound", **result["bound"]})
    _say(f"[{backend}] bound: {result['bound']['seconds']:.1f} s")
    if backend == "postgresql" and not args.keep:
        _pg_admin(args.pg_url, f'DROP DATABASE IF EXISTS "{_pg_database(args.pg_url)}" WITH (FORCE)')
    return result


def _figures(result: dict[str, Any], invoices: int) -> dict[str, Any]:
    first, again, bound = result["import"], result.get("reimport"), result["bound"]
    return {
        "backend": result["backend"],
        "server_version": result["server_version"],
        "server_settings": result.get("server_settings"),
        "analyzed_before_reimport": result.get("analyzed_before_reimport", False),
        "lines": invoices,
        "import_ok": first["ok"],
        "import_seconds": first["seconds"],
        "import_lines_per_s": round(invoices / first["seconds"]),
        "import_cpu_seconds": first["cpu_seconds"],
        "reimport_ok": again["ok"] if again else None,
        "reimport_unchanged": again["unchanged"] if again else None,
        "reimport_seconds": again["seconds"] if again else None,
        "reimport_lines_per_s": round(invoices / again["seconds"]) if again else None,
        "bound_seconds": bound["seconds"],
        "bound_lines_per_s": round(bound["lines"] / bound["seconds"]),
        "ratio": round(first["seconds"] / bound["seconds"], 2),
        "reimport_ratio": round(again["seconds"] / bound["seconds"], 2) if again else None,
        "peak_mb": max(first["peak_mb"], again["peak_mb"] if again else 0),
        "import_peak_mb": first["peak_mb"],
        "reimport_peak_mb": again["peak_mb"] if again else None,
        "base_mb": first["base_mb"],
        "counts": first["counts"],
    }


def _table(rows: list[dict[str, Any]]) -> str:
    head = (
        "backend",
        "N",
        "import l/s",
        "re-import l/s",
        "bound l/s",
        "ratio",
        "peak MB",
        "import s",
        "re-import s",
        "bound s",
    )
    lines = [
        (
            r["backend"],
            f"{r['lines']:,}",
            f"{r['import_lines_per_s']:,}" + ("" if r["import_ok"] else " (refused)"),
            f"{r['reimport_lines_per_s']:,}" if r["reimport_lines_per_s"] else "-",
            f"{r['bound_lines_per_s']:,}",
            f"{r['ratio']:.2f}",
            f"{r['peak_mb']:.0f}",
            f"{r['import_seconds']:.1f}",
            f"{r['reimport_seconds']:.1f}" if r["reimport_seconds"] else "-",
            f"{r['bound_seconds']:.1f}",
        )
        for r in rows
    ]
    widths = [max(len(str(x)) for x in column) for column in zip(head, *lines, strict=True)]
    out = [" | ".join(str(x).rjust(w) for x, w in zip(row, widths, strict=True)) for row in (head, *lines)]
    out.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--invoices", type=int, default=1_000_000, help="invoice lines in the file (default 1,000,000)"
    )
    parser.add_argument("--debtors", type=int, help="debtor accounts (default: invoices / 5)")
    parser.add_argument("--backends", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--keep", action="store_true", help="keep the CSV and the databases, and print where")
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=datetime.now().astimezone().date(),
        help="YYYY-MM-DD, the import day",
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ["DATABASE_URL"]
        if os.environ.get("DATABASE_URL", "").startswith("postgres")
        else DEFAULT_PG_URL,
        help="the PostgreSQL database to drop and recreate; its name must contain 'bench'"
        f" (default {DEFAULT_PG_URL})",
    )
    parser.add_argument(
        "--sql-stats", action="store_true", help="time each SQL statement shape and the commit (diagnostics)"
    )
    parser.add_argument("--csv", type=Path, help="import this file instead of generating one")
    parser.add_argument(
        "--workdir", type=Path, help="where the CSV and the SQLite databases go (default: a temp dir)"
    )
    parser.add_argument(
        "--profile",
        choices=("none", "cprofile", "pyinstrument"),
        default="none",
        help="profile the imports (figures are then not for the record); reports go to --workdir",
    )
    parser.add_argument(
        "--pg-explain",
        type=float,
        metavar="MS",
        help="log the plans of the import's statements slower than MS milliseconds (auto_explain,"
        " PostgreSQL server log)",
    )
    parser.add_argument(
        "--analyze-during",
        action="store_true",
        help="PostgreSQL diagnostics: ANALYZE the ledger tables inside the import each time the lines"
        " read double (what fresh planner statistics would change)",
    )
    parser.add_argument(
        "--no-default-ordering",
        action="store_true",
        help="diagnostics: import with the ledger models' default ordering removed (as `.order_by()`)",
    )
    parser.add_argument(
        "--no-analyze",
        action="store_true",
        help="PostgreSQL: do not ANALYZE between the import and the re-import (autovacuum would have)",
    )
    parser.add_argument("--chunk-hint", type=int, default=5000, help=argparse.SUPPRESS)
    parser.add_argument(
        "--profile-interval", type=float, default=0.001, help="pyinstrument's sampling interval in seconds"
    )
    # Internal: the steps run in child processes.
    parser.add_argument("--child", choices=tuple(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--backend", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--organisation", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", help=argparse.SUPPRESS)
    parser.add_argument("--sqlite-file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        args.today = args.today.isoformat()
        result = CHILDREN[args.child](args)
        print(json.dumps(result, ensure_ascii=False))
        return 0

    code = _code_state()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    for backend in backends:
        if backend not in ("sqlite", "postgresql"):
            parser.error(f"unknown backend {backend!r}")
    args.debtors = args.debtors or max(1, args.invoices // 5)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="recouvre-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    args.profile_dir = work
    try:
        if args.csv:
            csv_path = args.csv.resolve()
            args.invoices = sum(1 for _ in csv_path.open("rb")) - 1
            generated: dict[str, Any] = {
                "lines": args.invoices,
                "bytes": csv_path.stat().st_size,
                "given": True,
            }
        else:
            csv_path = work / f"invoices-{args.invoices}.csv"
            _say(f"generating {args.invoices:,} invoice lines for {args.debtors:,} debtors into {csv_path}")
            generated = generate_csv(csv_path, args.invoices, args.debtors, args.seed, args.today)
            _say(
                f"generated {generated['bytes'] / 1e6:.0f} MB in {generated['seconds']:.0f} s"
                f" ({generated['debtors']:,} debtors used, {generated['paid']:,} paid,"
                f" {generated['partly_paid']:,} partly paid)"
            )
        results = [
            _figures(run_backend(backend, csv_path, work, args), args.invoices) for backend in backends
        ]
    finally:
        if args.keep or args.profile != "none":
            _say(f"kept: {work}")
        elif not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    machine = {
        "cpus": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "load_average": os.getloadavg(),
    }
    print()
    print(
        f"CSV invoice import: {args.invoices:,} lines,"
        + (f" {generated['debtors']:,} debtors," if "debtors" in generated else "")
        + f" {generated['bytes'] / 1e6:.0f} MB"
    )
    if args.profile != "none":
        print(f"(profiled with {args.profile}: the times below include the profiler's overhead)")
    print(_table(results))
    print("ratio = import time / bound time; bound = csv module + COPY (PostgreSQL) or executemany (SQLite)")
    document = {
        "bench": "import_invoices",
        "code": code,
        "machine": machine,
        "file": generated,
        "results": results,
    }
    print(json.dumps(document))
    return 0


if __name__ == "__main__":
    sys.exit(main())
