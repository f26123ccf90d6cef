"""What every command shares: output in text or JSON, exit statuses, the acting user, the day."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
PARIS = ZoneInfo("Europe/Paris")


class CommandError(Exception):
    """Input refused or operation impossible: exit status 1, nothing changed."""


def today_in_paris() -> date:
    from django.utils import timezone

    return timezone.now().astimezone(PARIS).date()


def parse_day(text: str | None) -> date:
    if not text:
        return today_in_paris()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--date {text!r} is not a date (expected YYYY-MM-DD)") from None


def emit(args: Any, document: Any, text: str) -> None:
    """Exactly one JSON document on stdout with --json; readable text otherwise."""
    if getattr(args, "json", False):
        json.dump(document, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(text.rstrip("\n") + "\n")


def acting_user(email: str | None) -> Any:
    from recouvre.tenancy.domain.services import system_user
    from recouvre.tenancy.models import User

    if not email:
        return system_user()
    user = User.objects.filter(email=email.strip().lower()).first()
    if user is None:
        raise CommandError(f"--as {email}: no user with that email")
    return user


@contextmanager
def organisation_scope(slug: str | None) -> Iterator[Any]:
    """Resolves `--org` and opens the organisation's scope for the queries of the command."""
    from django_scopes import scope

    from recouvre.tenancy.domain.queries import OrganisationNotFound, organisation_resolve

    try:
        organisation = organisation_resolve(slug)
    except OrganisationNotFound as exc:
        raise CommandError(str(exc)) from None
    with scope(organisation=organisation):
        yield organisation


def parse_positive_amount(text: str, option: str = "--amount") -> Decimal:
    """An amount given on the command line (`1234.56`, `1 234,56`), strictly positive."""
    from recouvre.kernel.parsing import parse_amount

    try:
        value = parse_amount(text)
    except ValueError as exc:
        raise CommandError(f"{option}: {exc}") from None
    if value <= 0:
        raise CommandError(f"{option} must be greater than 0 (got {text})")
    return value
