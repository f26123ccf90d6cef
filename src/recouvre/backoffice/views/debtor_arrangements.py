"""The debtor page's "Promises and payment plans" section: how often the debtor kept its promises,
the promise and the plan in force, the survey answers after closed cases; and the signed plan's PDF."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from recouvre.arrangements.domain.plan_queries import open_plan
from recouvre.arrangements.domain.queries import promise_kept_rate
from recouvre.arrangements.enums import InstalmentStatus
from recouvre.arrangements.models import PaymentPlan, Promise
from recouvre.backoffice.views.access import MANAGER, audit_look, membership_required, role_required
from recouvre.backoffice.views.actions import document_path
from recouvre.ledger.models import Debtor
from recouvre.selfservice.domain.links import portal_links_revoke
from recouvre.selfservice.models import PortalVisit, SurveyAnswer

SURVEY_LIMIT = 20
VISITS_LIMIT = 5


def debtor_arrangements(debtor: Debtor, today: date, promise: Promise | None) -> dict[str, Any]:
    """`promise` is the open promise the page has already read for the outlook (one query fewer)."""
    kept, broken, rate = promise_kept_rate(debtor)
    plan = open_plan(debtor)
    instalments: list[Any] = []
    next_instalment = None
    if plan is not None:
        instalments = list(plan.instalments.order_by("number"))
        for instalment in instalments:
            # Due and past its date, before the daily watch marks it missed.
            instalment.late = instalment.status == InstalmentStatus.DUE and instalment.due_date < today
        next_instalment = next((i for i in instalments if i.status == InstalmentStatus.DUE), None)
    return {
        "kept": kept,
        "broken": broken,
        "rate": rate,
        "promise": promise,
        "plan": plan,
        "instalments": instalments,
        "next_instalment": next_instalment,
        "survey_answers": list(SurveyAnswer.objects.filter(debtor=debtor)[:SURVEY_LIMIT]),
        # Each use of the debtor's portal link is logged (GDPR): the last ones, and a way to end them.
        "portal_visits": list(PortalVisit.objects.filter(debtor=debtor)[:VISITS_LIMIT]),
    }


@require_POST
@role_required(MANAGER)
def debtor_portal_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Every portal link sent to the debtor stops working (a link forwarded to the wrong person, a
    device lost); the next message carries a new one."""
    debtor = get_object_or_404(Debtor, pk=pk)
    portal_links_revoke(organisation=request.organisation, debtor=debtor, actor=request.user)  # type: ignore[attr-defined]
    messages.success(
        request,
        _("Les liens du portail de ce débiteur sont désactivés ; le prochain message en portera un nouveau."),
    )
    return redirect("backoffice:debtor-detail", debtor.pk)


@membership_required
def debtor_plan_pdf(request: HttpRequest, pk: int, plan_pk: int) -> HttpResponse:
    # The scope already makes another organisation's plan a 404; the check says it where it matters.
    plan = get_object_or_404(PaymentPlan, pk=plan_pk, debtor_id=pk)
    if plan.organisation_id != request.organisation.pk:  # type: ignore[attr-defined]
        raise PermissionDenied
    document = document_path(plan.signed_document)
    if document is None:
        raise Http404
    audit_look(request, object_type="payment_plan_document", object_id=plan.pk, debtor_id=plan.debtor_id)
    return FileResponse(
        document.open("rb"),
        as_attachment=True,
        filename=f"echeancier-{plan.pk}.pdf",
        content_type="application/pdf",
    )


urls: list[URLPattern] = [
    path("debtors/<int:pk>/plans/<int:plan_pk>/pdf/", debtor_plan_pdf, name="debtor-plan-pdf"),
    path("debtors/<int:pk>/portal/revoke/", debtor_portal_revoke, name="debtor-portal-revoke"),
]
