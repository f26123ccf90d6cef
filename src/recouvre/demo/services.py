"""Loading the demo portfolio: a creditor organisation, its team, and 18 months of generated invoices
written through the real CSV import, so that the demo shows exactly what an import produces."""

from __future__ import annotations

import csv
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from recouvre.demo.generator import generate_rows
from recouvre.dunning.domain.cycle import cycle_plan
from recouvre.dunning.domain.runner import cycle_run
from recouvre.imports.domain.csv_reader import COLUMNS
from recouvre.imports.domain.services import invoices_import
from recouvre.ledger.domain.debtors import debtor_assign_agent
from recouvre.ledger.models import Debtor
from recouvre.tenancy.domain.services import organisation_create, user_create

ORGANISATION = {
    "name": "Démo Industrie SAS",
    "siren": "812345676",
    "iban": "FR7630004008180001234567894",
    "bic": "BNPAFRPPXXX",
    "email": "relances@demo-industrie.example",
}
PASSWORD = "demo-recouvre-2026"
# (email, role, full name); the first is the login announced by the README and `make run`.
USERS = (
    ("demo@recouvre.fr", "admin", "Camille Démo"),
    ("manager@recouvre.fr", "manager", "Claire Martin"),
    ("agent@recouvre.fr", "agent", "Julien Petit"),
    ("lecteur@recouvre.fr", "viewer", "Léa Bernard"),
)
FILE_NAME = "demo-portefeuille.csv"
_ERRORS_SHOWN = 5


class DemoRefused(Exception):
    """The database already holds a portfolio: the demo never mixes with real data."""


class DemoImportFailed(RuntimeError):
    """The import refused generated lines: a bug in the generator, never the user's doing."""


@dataclass(frozen=True)
class DemoResult:
    debtors: int
    invoices: int
    organisation_slug: str
    login_email: str
    login_password: str


def demo_load(
    *, invoices: int = 3000, seed: int = 20261122, today: date | None = None, history_days: int = 0
) -> DemoResult:
    """Creates the demo organisation, its users (one per role, password PASSWORD) and a generated
    portfolio of `invoices` documents as of `today` (default: today in Europe/Paris). All or nothing:
    a refused import leaves no organisation nor user behind."""
    if invoices < 1:
        raise ValueError("the demo needs at least one invoice")
    today = today or timezone.localdate()
    with scopes_disabled():
        holders = sorted(set(Debtor.objects.values_list("organisation__name", flat=True).distinct()[:5]))
    if holders:
        raise DemoRefused(
            "the database already holds debtors (organisation: " + ", ".join(holders) + "); the demo"
            " loads only into an empty database: point RECOUVRE_DATA_DIR at a new directory"
        )
    with tempfile.TemporaryDirectory(prefix="recouvre-demo-") as folder:
        path = Path(folder) / FILE_NAME
        _write_csv(path, invoices=invoices, seed=seed, today=today)
        with transaction.atomic():
            organisation = organisation_create(**ORGANISATION)
            users = [
                user_create(
                    email=email, role=role, organisation=organisation, password=PASSWORD, full_name=name
                )[0]
                for email, role, name in USERS
            ]
            with scope(organisation=organisation), path.open("rb") as stream:
                report = invoices_import(
                    organisation=organisation, stream=stream, file_name=FILE_NAME, actor=users[0], today=today
                )
                if not report.ok:
                    shown = "; ".join(
                        f"line {e.line} {e.column}: {e.message}" for e in report.errors[:_ERRORS_SHOWN]
                    )
                    raise DemoImportFailed(
                        f"the import refused {report.error_count} generated line(s): {shown}"
                    )
                debtors = Debtor.objects.count()
                # The collector works every other account, so that "my calls" and the portfolio's
                # agent filter show something; the rest are the team's.
                agent = next(u for u, (_, role, _) in zip(users, USERS, strict=True) if role == "agent")
                debtor_assign_agent(
                    organisation=organisation,
                    debtors=list(Debtor.objects.order_by("id")[::2]),
                    agent=agent,
                    actor=users[0],
                )
    # The last weeks' cycles as they would have run (reminders sent to the `.example` addresses, letters
    # laid out, calls planned, formal notices waiting for approval), then today's plan, which the
    # worker's clock sends within contact hours. After the load's commit: the dispatcher commits each
    # message's state before handing it over, as in production.
    with scope(organisation=organisation):
        for back in range(history_days, 0, -1):
            cycle_run(organisation=organisation, day=today - timedelta(days=back))
        cycle_plan(organisation=organisation, today=today)
    return DemoResult(
        debtors=debtors,
        invoices=report.created,
        organisation_slug=organisation.slug,
        login_email=USERS[0][0],
        login_password=PASSWORD,
    )


def _write_csv(path: Path, *, invoices: int, seed: int, today: date) -> None:
    """Streams the generated lines to a semicolon-separated UTF-8 file, as a French Excel export is."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, delimiter=";")
        writer.writeheader()
        writer.writerows(generate_rows(invoices, seed, today))
