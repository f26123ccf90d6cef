"""The agents' worklist: today's calls and tasks (planned for today or earlier, not done) in priority
order, the signed-in person's debtors first; then one screen per call (script, open invoices, recent
history, outcome form) and, once the outcome is saved or the call skipped, the next debtor.

Any role reads; recording an outcome takes an agent."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path

from recouvre.backoffice.views.access import AGENT, forbidden, membership_required, paris_today, through_web
from recouvre.backoffice.views.action_parts import step_label
from recouvre.backoffice.views.tasks import outcome_form, outcome_saved, task_context, task_of
from recouvre.dunning.domain.worklist import call_after, worklist
from recouvre.tenancy.domain.services import role_allows

PAGE_SIZE = 50


@membership_required
def worklist_page(request: HttpRequest) -> HttpResponse:
    today = paris_today()
    mine_only = request.GET.get("mine") == "1"
    calls = worklist(today, request.user.pk, mine_only=mine_only)
    page = Paginator(calls.ranked, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = calls.rows(page.object_list)
    for row in rows:
        row.action.step_label = step_label(row.action.step)  # type: ignore[attr-defined]
    context = {
        "page": page,
        "rows": rows,
        "today": today,
        "mine_only": mine_only,
        "first": calls.ranked[0].candidate.action_id if calls.ranked else None,
        "mine_count": calls.mine_count(),
    }
    return render(request, "backoffice/worklist/list.html", context)


@membership_required
@through_web
def worklist_call(request: HttpRequest, pk: int) -> HttpResponse:
    """One call on one screen. After the outcome is saved, the next debtor in the list's order (worked
    out before this call leaves the list, so that its place is known)."""
    today = paris_today()
    action = task_of(pk)
    following, position, total = call_after(today, request.user.pk, action.pk)
    form = outcome_form(request, action, today)
    status = 200
    if request.method == "POST":
        if not role_allows(request.role, AGENT):  # type: ignore[attr-defined]
            return forbidden(request, AGENT)
        if outcome_saved(request, action, form, today):
            if following is None:
                return redirect("backoffice:worklist")
            return redirect("backoffice:worklist-call", following)
        status = 400
    context = task_context(request, action, form, today) | {
        "following": following,
        "position": position,
        "total": total,
    }
    return render(request, "backoffice/worklist/call.html", context, status=status)


@membership_required
def worklist_next(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Passer": the call after this one in the order as it stands now; this one stays in the list."""
    following, _position, _total = call_after(paris_today(), request.user.pk, pk)
    if following is None:
        return redirect("backoffice:worklist")
    return redirect("backoffice:worklist-call", following)


urls: list[URLPattern] = [
    path("worklist/", worklist_page, name="worklist"),
    path("worklist/<int:pk>/", worklist_call, name="worklist-call"),
    path("worklist/<int:pk>/next/", worklist_next, name="worklist-next"),
]
