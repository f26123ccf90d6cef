"""The portfolio: every debtor of the organisation, searched, filtered, sorted, paginated, exported
and changed in bulk (issue 4). Each module lists its own routes in `urls`, which backoffice/urls.py
includes."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_POST

from recouvre.backoffice.listing import (
    FEW,
    CountedPaginator,
    bucket_rows,
    debtor_page_rows,
    debtor_rows,
    normalise_sort,
    sort_columns,
)
from recouvre.backoffice.portfolio_bulk import BulkActionForm, bulk_apply
from recouvre.backoffice.portfolio_export import export_response
from recouvre.backoffice.portfolio_filters import PortfolioFilterForm, agent_choices
from recouvre.backoffice.views.access import MANAGER, membership_required, paris_today, role_required
from recouvre.dunning.domain.profiles import payer_profiles_current
from recouvre.ledger.domain.ageing import days_overdue
from recouvre.ledger.domain.balances import BalancesSnapshot, debtor_balances_current
from recouvre.ledger.models import Debtor
from recouvre.tenancy.domain.services import role_allows

PAGE_SIZE = 50
# A bulk action runs in the request, one timeline event and audit entry per debtor: beyond this many
# it would outlast the request, so a broader view has to be narrowed first.
BULK_LIMIT = 5000
FILTER_NAMES = ("q", "segment", "type", "step", "agent", "bucket", "has", "paused")


def _is_htmx_fragment(request: HttpRequest) -> bool:
    # On a history restore htmx asks for the whole page, even though it sends HX-Request too.
    return request.headers.get("HX-Request") == "true" and "HX-History-Restore-Request" not in request.headers


def _view_query(filters: dict[str, str], sort: str) -> str:
    """The query string that names this view (filters and sort), for the exports and bulk actions."""
    return urlencode({**filters, "sort": sort})


def balances_current(organisation: Any, today: date, filters: dict[str, str]) -> BalancesSnapshot:
    """The read model brought up to date before a read, with today's payer profiles when the view
    filters on them (the morning's clock has normally written them already)."""
    snapshot = debtor_balances_current(organisation=organisation, today=today)
    if "risk" in filters:
        payer_profiles_current(organisation=organisation, today=today)
    return snapshot


@require_GET
@membership_required
def debtor_list(request: HttpRequest) -> HttpResponse:
    today = paris_today()
    organisation = request.organisation  # type: ignore[attr-defined]
    agents = agent_choices(organisation)  # one query for both forms
    form = PortfolioFilterForm(request.GET, organisation=organisation, agents=agents)
    filters = form.filters()
    sort = normalise_sort(request.GET.get("sort"))
    snapshot = balances_current(organisation, today, filters)
    number = request.GET.get("page", "")
    rows, count, exact = debtor_page_rows(
        organisation=organisation, filters=filters, sort=sort, today=today, total=snapshot.debtors,
        rows_needed=int(number) * PAGE_SIZE if number.isdigit() and len(number) < 7 else 0,
    )  # fmt: skip
    paginator = CountedPaginator(rows.select_related("agent"), PAGE_SIZE, count=count)
    page = paginator.get_page(number)
    for debtor in page:
        debtor.days_late = days_overdue(debtor.oldest_due, today) if debtor.oldest_due else None
        if debtor.days_late is not None:
            # In Python rather than a {% blocktranslate count %} per row: a tenth of the page's time.
            days = debtor.days_late
            debtor.days_label = ngettext("%(days)s jour", "%(days)s jours", days) % {"days": days}
    context = {
        "page": page,
        "form": form,
        "query": filters.get("q", ""),
        "filtered": bool(filters),
        "capped": not exact,
        "cap": FEW,
        "sort": sort,
        "columns": sort_columns(sort),
        "today": today,
        "view_query": _view_query(filters, sort),
        "can_bulk": role_allows(request.role, MANAGER),  # type: ignore[attr-defined]
    }
    if _is_htmx_fragment(request):
        response = render(request, "backoffice/debtors/_table.html", context | {"fragment": True})
        # The address bar shows the view without the form's empty fields: a URL worth sharing.
        shown = context["view_query"] + (f"&page={page.number}" if page.number > 1 else "")
        response["HX-Push-Url"] = f"{reverse('backoffice:debtor-list')}?{shown}"
    else:
        context |= {"aged": snapshot.aged, "buckets": bucket_rows(snapshot.aged)}
        if context["can_bulk"]:
            context["bulk_form"] = BulkActionForm(None, organisation=organisation, today=today, agents=agents)
        response = render(request, "backoffice/debtors/list.html", context)
    # The same URL answers a fragment or a page: caches and the browser's back button must not mix them.
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@membership_required
def debtor_export(request: HttpRequest, kind: str) -> HttpResponse:
    today = paris_today()
    organisation = request.organisation  # type: ignore[attr-defined]
    filters = PortfolioFilterForm(request.GET, organisation=organisation).filters()
    sort = normalise_sort(request.GET.get("sort"))
    balances_current(organisation, today, filters)
    rows = debtor_rows(organisation=organisation, filters=filters, sort=sort, today=today)
    return export_response(kind, rows.select_related("agent"), today)


@require_POST
@role_required(MANAGER)
def debtor_bulk(request: HttpRequest) -> HttpResponse:
    today = paris_today()
    organisation = request.organisation  # type: ignore[attr-defined]
    form = BulkActionForm(request.POST, organisation=organisation, today=today)
    back = reverse("backoffice:debtor-list") + "?" + request.POST.get("filters", "")
    if not form.is_valid():
        return render(request, "backoffice/portfolio/bulk.html", {"form": form, "back": back}, status=400)
    view = QueryDict(form.cleaned_data["filters"])
    if form.cleaned_data["scope"] == "all":
        filters = PortfolioFilterForm(view, organisation=organisation).filters()
        balances_current(organisation, today, filters)
        rows = debtor_rows(organisation=organisation, filters=filters, sort="name", today=today)
        debtors = list(rows[: BULK_LIMIT + 1])
        if len(debtors) > BULK_LIMIT:
            limit = f"{BULK_LIMIT:,}".replace(",", "\N{NO-BREAK SPACE}")
            message = gettext("Cette vue compte plus de %(limit)s débiteurs : affinez les filtres d'abord.")
            form.add_error("scope", message % {"limit": limit})
            return render(request, "backoffice/portfolio/bulk.html", {"form": form, "back": back}, status=400)
    else:
        # Ids of another organisation are simply not found in this one's scope.
        debtors = list(Debtor.objects.filter(pk__in=form.cleaned_data["ids"]).order_by("name", "pk"))
    if request.POST.get("confirm") != "1":
        context = {"form": form, "back": back, "debtors": debtors[:20], "count": len(debtors),
                   "summary": form.describe(len(debtors))}  # fmt: skip
        return render(request, "backoffice/portfolio/bulk.html", context)
    changed = bulk_apply(form=form, organisation=organisation, debtors=debtors, actor=request.user)
    messages.success(
        request,
        ngettext(
            "%(summary)s : %(changed)s modifié, %(same)s déjà dans cet état.",
            "%(summary)s : %(changed)s modifiés, %(same)s déjà dans cet état.",
            # French puts 0 in the singular; the source strings are French and, without a French
            # catalogue, gettext would apply English's rule to them.
            changed if changed > 1 else 1,
        )
        % {"summary": form.describe(len(debtors)), "changed": changed, "same": len(debtors) - changed},
    )
    return redirect(back)


urls: list[URLPattern] = [
    path("debtors/", debtor_list, name="debtor-list"),
    path("debtors/export.<str:kind>", debtor_export, name="debtor-export"),
    path("debtors/bulk/", debtor_bulk, name="debtor-bulk"),
]
