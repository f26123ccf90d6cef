"""Reports over the whole portfolio."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from recouvre.api.common import amount, today
from recouvre.api.schemas.common import ERRORS
from recouvre.api.schemas.reports import AgingReportOut
from recouvre.ledger.domain.queries import aged_balance, unallocated_credit

router = Router(tags=["reports"])


@router.get("/aging", response={200: AgingReportOut, **ERRORS}, summary="Aged balance of open invoices")
def report_aging(
    request: HttpRequest,
    date: dt.date | None = Query(None, description="The day of the balance (default: today)"),  # noqa: B008
) -> dict[str, Any]:
    """The same document as `recouvre report aging --json`."""
    day = date or today()
    balance = aged_balance(day)
    return {
        "date": day,
        "buckets": {name: amount(value) for name, value in balance.buckets.items()},
        "total": amount(balance.total),
        "unallocated_credit": amount(unallocated_credit(day)),
    }
