"""Payment plans in the back office: proposals outside the rules that wait for a manager (approve,
or refuse saying why), and the plans running, with their next instalment and what is late."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from recouvre.arrangements.domain.plan_queries import plans_awaiting_approval
from recouvre.arrangements.domain.plans import PlanError, plan_decide, plan_problem_text
from recouvre.arrangements.domain.schedule import Problem
from recouvre.arrangements.enums import InstalmentStatus, PlanStatus
from recouvre.arrangements.models import PaymentPlan
from recouvre.backoffice.views.access import MANAGER, membership_required, paris_today, rights, role_required


@membership_required
def plan_list(request: HttpRequest) -> HttpResponse:
    today = paris_today()
    running = list(
        PaymentPlan.objects.filter(status__in=(PlanStatus.ACTIVE, PlanStatus.PROPOSED))
        .select_related("debtor")
        .prefetch_related("instalments")
        .order_by("debtor__name")[:500]
    )
    for plan in running:
        due = [i for i in plan.instalments.all() if i.status != InstalmentStatus.PAID]
        plan.next_instalment = min(due, key=lambda i: i.due_date) if due else None  # type: ignore[attr-defined]
        plan.late = bool(due) and min(i.due_date for i in due) < today  # type: ignore[attr-defined]
    awaiting = list(plans_awaiting_approval()[:200])
    for plan in awaiting:
        plan.problem_texts = [  # type: ignore[attr-defined]
            plan_problem_text(Problem(p["code"], str(p.get("limit", "")))) for p in plan.problems
        ]
    context = {
        "awaiting": awaiting,
        "running": running,
        "today": today,
        **rights(request),
    }
    return render(request, "backoffice/plans/list.html", context)


@require_POST
@role_required(MANAGER)
def plan_decision(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(PaymentPlan, pk=pk)
    approve = request.POST.get("decision") == "approve"
    try:
        plan_decide(
            plan=plan,
            approve=approve,
            today=paris_today(),
            actor=request.user,
            reason=request.POST.get("reason", ""),
        )
    except PlanError as exc:
        messages.error(request, str(exc))
    except PermissionDenied:
        raise
    else:
        messages.success(
            request,
            _("Échéancier approuvé : il attend la signature du débiteur.")
            if approve
            else _("Échéancier refusé."),
        )
    return redirect("backoffice:plan-list")


urls: list[URLPattern] = [
    path("plans/", plan_list, name="plan-list"),
    path("plans/<int:pk>/decision/", plan_decision, name="plan-decision"),
]
