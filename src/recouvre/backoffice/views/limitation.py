"""Invoices near their limitation date (french-law.md: warn 6 months and 1 month before). A reminder or a
formal notice does not stop the clock: only an acknowledgement (a part-payment, a signed plan) or a
court claim does, so the page says what to do rather than offering to "send a reminder".

Each module lists its own routes in `urls`, which backoffice/urls.py includes."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from recouvre.backoffice.views.access import membership_required, paris_today
from recouvre.ledger.domain.limitation_watch import URGENT_MONTHS, WARN_MONTHS, invoices_at_risk


@require_GET
@membership_required
def limitation_list(request: HttpRequest) -> HttpResponse:
    today = paris_today()
    risks, count = invoices_at_risk(today)
    context = {
        "today": today,
        "risks": risks,
        "count": count,
        "warn_months": WARN_MONTHS,
        "urgent_months": URGENT_MONTHS,
    }
    return render(request, "backoffice/limitation/list.html", context)


urls: list[URLPattern] = [path("prescription/", limitation_list, name="limitation-list")]
