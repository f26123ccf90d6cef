"""The Today page (home): what needs a person today, each count one click from its list, and the
headline figures of the receivables (issue 4).

Read-only; every query is a count or a grouped sum inside the organisation scope set by the
middleware, so the number of queries does not grow with the books. The counts come at once; the
figures, which sum the whole ledger, follow in a second request. Each module lists its own routes
in `urls`, which backoffice/urls.py includes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.cache import patch_vary_headers

from recouvre.arrangements.domain.queries import promises_broken_recently
from recouvre.backoffice.listing import bucket_rows
from recouvre.backoffice.views.access import AGENT, membership_required, paris_today, rights
from recouvre.disputes.enums import DisputeStatus
from recouvre.disputes.models import Dispute
from recouvre.dunning.enums import ActionStatus, Channel
from recouvre.dunning.models import Action
from recouvre.ledger.domain.kpi_queries import headline_figures
from recouvre.ledger.domain.kpis import bars
from recouvre.ledger.domain.limitation_watch import invoices_at_risk

CALL_CHANNELS = (Channel.CALL, Channel.TASK)
FAILED_SENDS = (ActionStatus.FAILED, ActionStatus.UNKNOWN)
MY_CALLS_SHOWN = 5


@dataclass(frozen=True)
class WorkCounts:
    awaiting_approval: int
    calls_due: int
    my_calls_due: int
    open_disputes: int
    # The portfolio link lists debtors: several disputes of one debtor are one row there.
    disputed_debtors: int
    broken_promises: int
    failed_sends: int
    # Open invoices whose limitation date is within 6 months (french-law.md's warning).
    near_limitation: int = 0

    @property
    def nothing_to_do(self) -> bool:
        return not (
            self.awaiting_approval
            or self.calls_due
            or self.open_disputes
            or self.broken_promises
            or self.failed_sends
            or self.near_limitation
        )


def _calls_due(today: date) -> Any:
    """Calls and other tasks planned for today or earlier and not done (the call list's rows)."""
    return Action.objects.filter(
        channel__in=CALL_CHANNELS, status=ActionStatus.PLANNED, scheduled_for__lte=today
    )


def work_counts(today: date, user: Any) -> WorkCounts:
    calls = _calls_due(today)
    disputes = Dispute.objects.filter(status=DisputeStatus.OPEN)
    return WorkCounts(
        awaiting_approval=Action.objects.filter(status=ActionStatus.AWAITING_APPROVAL).count(),
        calls_due=calls.count(),
        # Apart from the total: joining the debtors for every call would slow the count everyone needs.
        my_calls_due=calls.filter(debtor__agent=user).count(),
        open_disputes=disputes.count(),
        disputed_debtors=disputes.values("debtor_id").distinct().count(),
        broken_promises=promises_broken_recently(today).values("debtor_id").distinct().count(),
        failed_sends=Action.objects.filter(status__in=FAILED_SENDS).count(),
        near_limitation=invoices_at_risk(today, shown=0)[1],
    )


@dataclass(frozen=True)
class ChartRow:
    label: str
    slug: str
    amount: Decimal
    width: int


def aged_chart(aged: Any) -> list[ChartRow]:
    rows = bucket_rows(aged)
    widths = bars((row.key, row.amount) for row in rows)
    return [
        ChartRow(row.label, row.slug, row.amount, bar.width) for row, bar in zip(rows, widths, strict=True)
    ]


@membership_required
def home(request: HttpRequest) -> HttpResponse:
    """The counts, at once; the headline figures follow in a second request (`figures`), because
    summing a large ledger takes longer than the counts a person acts on."""
    today = paris_today()
    allowed = rights(request)
    counts = work_counts(today, request.user)
    # Agents see their own calls first; a manager who also carries a portfolio sees theirs too.
    role = request.role  # type: ignore[attr-defined]
    show_my_calls = allowed["can_work"] and (role == AGENT or counts.my_calls_due > 0)
    my_calls = []
    if show_my_calls and counts.my_calls_due:
        my_calls = list(
            _calls_due(today)
            .filter(debtor__agent=request.user)
            .select_related("debtor")
            .order_by("scheduled_for", "id")[:MY_CALLS_SHOWN]
        )
        for action in my_calls:
            action.days_late = (today - action.scheduled_for).days  # type: ignore[attr-defined]
    context = {
        "today": today,
        "counts": counts,
        "show_my_calls": show_my_calls,
        "my_calls": my_calls,
        **allowed,
    }
    return render(request, "backoffice/today/home.html", context)


@membership_required
def figures(request: HttpRequest) -> HttpResponse:
    """The headline figures: the fragment the Today page loads, or a page of its own without JavaScript."""
    today = paris_today()
    headline = headline_figures(today)
    context = {"today": today, "figures": headline, "chart": aged_chart(headline.aged)}
    if request.headers.get("HX-Request") == "true" and "HX-History-Restore-Request" not in request.headers:
        response = render(request, "backoffice/today/_figures.html", context)
    else:
        response = render(request, "backoffice/today/figures.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


urls: list[URLPattern] = [
    path("", home, name="home"),
    path("today/figures/", figures, name="today-figures"),
]
