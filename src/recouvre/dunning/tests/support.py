"""Building portfolios for the dunning tests through the real import, and running days."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django_scopes import scope

HEADER = (
    "invoice_number;debtor_ref;debtor_name;debtor_type;debtor_siren;debtor_email;debtor_phone;"
    "debtor_address;debtor_postcode;debtor_city;issue_date;due_date;amount\n"
)
MONDAY = date(2026, 11, 23)


def line(
    number: str,
    ref: str,
    due: date,
    amount: str = "1000.00",
    *,
    name: str = "",
    kind: str = "B2B",
    siren: str = "",
    email: str = "",
    phone: str = "",
    address: str = "1 rue de la Paix",
    postcode: str = "75002",
    city: str = "Paris",
) -> str:
    issue = due - timedelta(days=30)
    return (
        f"{number};{ref};{name or 'Client ' + ref};{kind};{siren};{email};{phone};{address};{postcode};{city};"
        f"{issue.isoformat()};{due.isoformat()};{amount}\n"
    )


def load(import_csv: Any, organisation: Any, *lines: str, today: date = MONDAY) -> Any:
    report = import_csv(organisation, HEADER + "".join(lines), today=today)
    assert not report.errors, report.errors
    return report


def run_day(organisation: Any, day: date) -> tuple[Any, Any]:
    from recouvre.dunning.domain.runner import cycle_run

    return cycle_run(organisation=organisation, day=day)


def actions(organisation: Any, **filters: Any) -> list[Any]:
    from recouvre.dunning.models import Action

    with scope(organisation=organisation):
        return list(Action.objects.filter(**filters).select_related("debtor").order_by("id"))


def use_smtp(organisation: Any, server: Any) -> None:
    organisation.settings = {**(organisation.settings or {}), "email_url": server.url}
    organisation.save(update_fields=["settings"])
