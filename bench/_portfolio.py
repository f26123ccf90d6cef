"""Synthetic portfolios for bench/cycle.py, written straight into the ledger tables with
`recouvre.common.bulk.insert_rows` (COPY on PostgreSQL, executemany on SQLite): no CSV import.

Deterministic for a seed. Call inside a transaction, after django.setup(), on a migrated database
whose ledger tables are empty (explicit ids from 1; the PostgreSQL sequences are moved past them)."""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

DEBTOR_COLUMNS = (
    "id", "organisation_id", "ref", "name", "debtor_type", "segment", "siren", "vat_number", "address",
    "postcode", "city", "country", "language", "do_not_contact", "insolvency_since", "origin",
    "redacted_at", "created_at", "updated_at",
)  # fmt: skip
CONTACT_COLUMNS = (
    "organisation_id", "debtor_id", "kind", "value", "name", "is_mobile", "origin", "invalid_since",
    "created_at",
)  # fmt: skip
INVOICE_COLUMNS = (
    "id", "organisation_id", "debtor_id", "number", "document_type", "status", "issue_date", "due_date",
    "delivery_date", "amount", "amount_excl_tax", "currency", "open_amount", "paid_date", "po_number",
    "payment_terms", "applies_to_id", "contractual_rate", "origin", "source_disputed", "last_import_id",
    "created_at", "updated_at",
)  # fmt: skip
DISPUTE_COLUMNS = (
    "organisation_id", "invoice_id", "debtor_id", "reason", "comment", "status", "outcome", "opened_on",
    "closed_on", "owner_id", "opened_by_id", "created_at",
)  # fmt: skip

TRADES = ("Transports", "Boulangerie", "Garage", "Menuiserie", "Cabinet", "Imprimerie", "Plomberie",
          "Hôtel", "Pharmacie", "Électricité", "Maçonnerie", "Librairie", "Traiteur",
          "Serrurerie")  # fmt: skip
SURNAMES = ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
            "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
            "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet",
            "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin")  # fmt: skip
FIRST_NAMES = ("Marie", "Jean", "Pierre", "Sophie", "Nicolas", "Isabelle", "Philippe", "Nathalie")
FORMS = ("SARL", "SAS", "SA", "EURL", "SASU", "")
STREETS = ("rue de la République", "avenue Jean Jaurès", "boulevard Victor Hugo", "rue Pasteur",
           "place de la Mairie", "chemin des Vignes", "rue du Moulin", "allée des Tilleuls")  # fmt: skip
CITIES = ("Lyon", "Marseille", "Toulouse", "Nantes", "Lille", "Rennes", "Metz", "Strasbourg", "Mulhouse",
          "Bordeaux", "Dijon", "Tours", "Angers", "Brest", "Nancy", "Pointe-à-Pitre",
          "Saint-Denis")  # fmt: skip
EMAIL_USERS = ("compta", "comptabilite", "factures", "fournisseurs", "contact", "paiements")
SEGMENTS, SEGMENT_WEIGHTS = ("TPE", "PME", "ETI", "GE"), (50, 30, 15, 5)
CENT = Decimal("0.01")
REASONS = ("price", "quantity", "quality", "delivery", "duplicate", "already_paid", "other")


def _ascii(text: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "".join(ch if ch.isalnum() else "-" for ch in plain).strip("-")


def _postcode(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.02:
        return f"97{rng.choice('1234')}{rng.randrange(100):02d}"  # overseas departments
    if roll < 0.06:
        return rng.choice(("57", "67", "68")) + f"{rng.randrange(1000):03d}"  # Alsace-Moselle
    return f"{rng.choice([d for d in range(1, 96) if d != 20]):02d}{rng.randrange(1000):03d}"


def _chunks(rows: Iterable[Sequence[Any]], size: int = 50_000) -> Iterator[list[Sequence[Any]]]:
    batch: list[Sequence[Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    from recouvre.common.bulk import insert_rows

    count = 0
    for batch in _chunks(rows):  # SQLite's executemany would otherwise hold every row in a list
        insert_rows(table, columns, batch)
        count += len(batch)
    return count


def load_portfolio(
    *, organisation_id: int, debtors: int, invoices: int, today: date, seed: int, dispatch: bool = False
) -> dict[str, int]:
    """The realistic mix (default) or, with `dispatch`, one open invoice 3 days overdue per debtor,
    each debtor with a valid email and its own SIREN (every one gets reminder_1 by email today)."""
    from django.db import connection
    from django.utils import timezone

    from recouvre.common.bulk import db_datetime
    from recouvre.kernel.identifiers import siren_with_check_digit

    rng = random.Random(seed)
    at = db_datetime(timezone.now())
    org = organisation_id
    has_email = bytearray(debtors + 1)
    sirens: list[str] = []
    contacts: list[tuple[Any, ...]] = []
    stats = dict.fromkeys(("emails", "mobiles", "paid", "partly_paid", "credit_notes", "disputes"), 0)

    def debtor_rows() -> Iterator[tuple[Any, ...]]:
        for d in range(1, debtors + 1):
            kind = "B2B" if dispatch else rng.choices(("B2B", "PUBLIC", "B2C"), (90, 7, 3))[0]
            surname = rng.choice(SURNAMES)
            if kind == "B2C":
                name = f"{rng.choice(FIRST_NAMES)} {surname}"
            elif kind == "PUBLIC":
                name = f"Mairie de {rng.choice(CITIES)}"
            else:
                name = f"{rng.choice(TRADES)} {surname} {rng.choice(FORMS)}".strip()
            siren = ""
            if dispatch or (kind != "B2C" and rng.random() < 0.85):
                if sirens and not dispatch and rng.random() < 0.03:
                    siren = rng.choice(sirens)  # another account of the same company
                else:
                    siren = siren_with_check_digit(f"{10_000_000 + d * 7 + rng.randrange(7):08d}"[-8:])
                    sirens.append(siren)
            domain = f"{_ascii(name)[:30]}-{d}.fr"
            if dispatch or rng.random() < 0.70:
                has_email[d] = 1
                stats["emails"] += 1
                bounced = None if dispatch or rng.random() > 0.01 else at
                contacts.append((org, d, "email", f"{rng.choice(EMAIL_USERS)}@{domain}", "", False, "import",
                                 bounced, at))  # fmt: skip
                if not dispatch and rng.random() < 0.2:
                    first = rng.choice(FIRST_NAMES)
                    contacts.append((org, d, "email", f"{_ascii(first)}.{_ascii(surname)}@{domain}",
                                     f"{first} {surname}", False, "import", None, at))  # fmt: skip
            if not dispatch and rng.random() < 0.40:
                stats["mobiles"] += 1
                mobile = f"+336{rng.randrange(10**8):08d}"
                contacts.append((org, d, "phone", mobile, "", True, "import", None, at))
            if not dispatch and rng.random() < 0.30:
                landline = f"+33{rng.choice('12345')}{rng.randrange(10**8):08d}"
                contacts.append((org, d, "phone", landline, "", False, "import", None, at))
            postcode = _postcode(rng)
            blocked = 1.0 if dispatch else rng.random()
            yield (
                d, org, f"411{_ascii(surname)[:5].upper()}{d:07d}", name, kind,
                rng.choices(SEGMENTS, SEGMENT_WEIGHTS)[0] if kind == "B2B" and rng.random() < 0.9 else "",
                siren, "", f"{rng.randrange(1, 200)} {rng.choice(STREETS)}", postcode, rng.choice(CITIES),
                "FR" if dispatch or rng.random() < 0.98 else "BE", "en" if rng.random() < 0.03 else "fr",
                blocked < 0.003, today - timedelta(days=200) if 0.003 <= blocked < 0.006 else None,
                "import", None, at, at,
            )  # fmt: skip

    disputes: list[tuple[Any, ...]] = []

    def invoice_rows() -> Iterator[tuple[Any, ...]]:
        for i in range(1, invoices + 1):
            d = i if dispatch else rng.randrange(debtors) + 1
            due = today - timedelta(days=3) if dispatch else today + timedelta(days=rng.randint(-120, 30))
            issue = due - timedelta(days=rng.choice((30, 30, 45, 60)))
            amount = max(Decimal("12.00"), Decimal(f"{min(rng.lognormvariate(6.5, 1.1), 250000):.2f}"))
            document, status, open_amount, paid = "invoice", "open", amount, None
            settled = 1.0 if dispatch else rng.random()
            if settled < 0.40:
                stats["paid"] += 1
                status, open_amount = "paid", Decimal("0.00")
                latest = min(today, due + timedelta(days=60))
                paid = issue + timedelta(days=rng.randint(0, (latest - issue).days))
            elif settled < 0.48:
                stats["partly_paid"] += 1
                open_amount = (amount * rng.randrange(10, 91) / 100).quantize(CENT)
            elif settled < 0.49:
                stats["credit_notes"] += 1
                document = "credit_note"
            disputed = status == "open" and document == "invoice" and not dispatch and rng.random() < 0.018
            if disputed:
                stats["disputes"] += 1
                opened = min(today, issue + timedelta(days=rng.randint(1, 60)))
                reason = rng.choice(REASONS)
                disputes.append((org, i, d, reason, "", "open", "", opened, None, None, None, at))
            yield (
                i, org, d, f"FA{due.year}-{i:08d}", document, status, issue, due, None, amount,
                (amount / Decimal("1.2")).quantize(CENT), "EUR", open_amount, paid,
                "", "30 jours", None, None, "import", disputed, None, at, at,
            )  # fmt: skip

    counts = {
        "debtors": _insert("ledger_debtor", DEBTOR_COLUMNS, debtor_rows()),
        "contacts": _insert("ledger_contact", CONTACT_COLUMNS, contacts),
        "invoices": _insert("ledger_invoice", INVOICE_COLUMNS, invoice_rows()),
        "disputes": _insert("disputes_dispute", DISPUTE_COLUMNS, disputes),
        **stats,
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("ledger_debtor", "ledger_contact", "ledger_invoice", "disputes_dispute"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
    return counts


def _pg_admin(url: str, *statements: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(url.replace("postgres://", "postgresql://", 1))._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]


class Database:
    """One fresh database per portfolio: a PostgreSQL database named after --pg-url, or a SQLite file
    in its own data directory."""

    def __init__(self, backend: str, label: str, args: argparse.Namespace, script: Path) -> None:
        self.backend, self.script, self.keep = backend, script, args.keep
        self.env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "RECOUVRE_DATA_DIR")}
        self.env |= {"DJANGO_SETTINGS_MODULE": "recouvre.config.settings", "RECOUVRE_LOG_LEVEL": "WARNING"}
        data_dir = self.data_dir = args.workdir / f"{backend}-{label}"
        data_dir.mkdir(parents=True, exist_ok=True)
        self.env["RECOUVRE_DATA_DIR"] = str(data_dir)
        self.pg_url = ""
        if backend == "postgresql":
            parts = urlsplit(args.pg_url)
            self.name = parts.path.lstrip("/") + ("" if label == "plan" else f"_{label}")
            if "bench" not in self.name:
                raise SystemExit(f"refusing to drop database {self.name!r}: its name must contain 'bench'")
            self.pg_url = urlunsplit(parts._replace(path=f"/{self.name}"))
            self.env["DATABASE_URL"] = self.pg_url
        self.drop(create=True)

    def drop(self, create: bool = False) -> None:
        """Drops the database (and creates it again with `create`); nothing with --keep."""
        if self.keep and not create:
            return
        if self.pg_url:
            drop = f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'
            _pg_admin(self.pg_url, drop, *([f'CREATE DATABASE "{self.name}"'] if create else []))
        for suffix in ("", "-wal", "-shm"):
            (self.data_dir / f"recouvre.sqlite3{suffix}").unlink(missing_ok=True)

    def child(self, step: str, *argv: str) -> dict[str, Any]:
        command = [sys.executable, str(self.script), "--child", step, *argv]
        done = subprocess.run(command, env=self.env, stdout=subprocess.PIPE, text=True, check=False)
        if done.returncode != 0:
            sys.stdout.write(done.stdout)
            raise SystemExit(f"{step} step failed (exit status {done.returncode}): {' '.join(command)}")
        return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]
