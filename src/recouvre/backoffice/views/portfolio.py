"""The portfolio: every debtor of the organisation, searched, filtered, sorted, paginated (issue 4).
Each module lists its own routes in `urls`, which backoffice/urls.py includes."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.cache import patch_vary_headers

from recouvre.backoffice.listing import bucket_rows, debtor_rows, normalise_sort, sort_columns
from recouvre.backoffice.views.access import membership_required, paris_today
from recouvre.ledger.domain.ageing import days_overdue
from recouvre.ledger.domain.queries import aged_balance

PAGE_SIZE = 50


def _is_htmx_fragment(request: HttpRequest) -> bool:
    # On a history restore htmx asks for the whole page, even though it sends HX-Request too.
    return request.headers.get("HX-Request") == "true" and "HX-History-Restore-Request" not in request.headers


@membership_required
def debtor_list(request: HttpRequest) -> HttpResponse:
    today = paris_today()
    query = request.GET.get("q", "").strip()[:200]
    sort = normalise_sort(request.GET.get("sort"))
    page = Paginator(debtor_rows(query, sort, today), PAGE_SIZE).get_page(request.GET.get("page"))
    for debtor in page:
        debtor.days_late = days_overdue(debtor.oldest_due, today) if debtor.oldest_due else None
    context = {"page": page, "query": query, "sort": sort, "columns": sort_columns(sort), "today": today}
    if _is_htmx_fragment(request):
        response = render(request, "backoffice/debtors/_table.html", context)
    else:
        aged = aged_balance(today)
        context |= {"aged": aged, "buckets": bucket_rows(aged)}
        response = render(request, "backoffice/debtors/list.html", context)
    # The same URL answers a fragment or a page: caches and the browser's back button must not mix them.
    patch_vary_headers(response, ["HX-Request"])
    return response


urls: list[URLPattern] = [
    path("debtors/", debtor_list, name="debtor-list"),
]
