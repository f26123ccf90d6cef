"""Helpers every router shares: the day, money and time formats, pagination, audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError

from recouvre.api.auth import principal
from recouvre.audit.domain.services import audit_record
from recouvre.audit.enums import Channel
from recouvre.kernel.money import format_amount

MAX_LIMIT = 500
DEFAULT_LIMIT = 50


def today() -> dt.date:
    """Today in Europe/Paris (TIME_ZONE), as the command line's default `--date`."""
    return timezone.localdate()


def amount(value: Decimal | None) -> str:
    return format_amount(value if value is not None else Decimal("0"))


def local_time(value: dt.datetime | None) -> dt.datetime | None:
    """Times carry the Paris offset, as a credit manager reads them."""
    return timezone.localtime(value) if value is not None else None


def page(queryset: QuerySet[Any], limit: int, offset: int) -> tuple[int, list[Any]]:
    return queryset.count(), list(queryset[offset : offset + limit])


def not_found(what: str, key: str) -> HttpError:
    # The same answer whether the row is absent or belongs to another organisation: a guessed
    # number must not reveal that another creditor has it.
    return HttpError(404, f"no {what} {key!r}")


def audit(
    request: HttpRequest,
    *,
    action: str,
    object_type: str,
    object_id: object = "",
    debtor_id: int | None = None,
    changes: dict[str, Any] | None = None,
) -> None:
    who = principal(request)
    audit_record(
        organisation=who.organisation,
        actor=who.user,
        action=action,
        channel=Channel.API,
        object_type=object_type,
        object_id=object_id,
        debtor_id=debtor_id,
        changes=changes,
        path=request.get_full_path(),
        ip=request.META.get("REMOTE_ADDR") or None,
    )
