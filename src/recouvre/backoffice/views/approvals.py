"""Formal notices (and any other action) waiting for a manager: the list, one notice with the PDF it
would print today, approving one or a selection, refusing one or a selection with a reason.

Any role reads; approving and refusing take a manager. Approving and refusing are all or nothing and
check each action's status under lock, so that a second click (or a colleague's) changes nothing."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from recouvre.backoffice.views.access import (
    MANAGER,
    forbidden,
    membership_required,
    paris_today,
    rights,
    role_required,
    through_web,
)
from recouvre.backoffice.views.action_parts import (
    audit_view,
    back_to,
    cancel_with_reason,
    cancelled_message,
    decorate,
    finding_labels,
    reason_label,
)
from recouvre.dunning.domain.actions import ActionError, actions_approve
from recouvre.dunning.domain.approvals import actions_refuse
from recouvre.dunning.domain.preview import PreviewError, letter_preview
from recouvre.dunning.domain.scenario import POSTAL_CHANNELS
from recouvre.dunning.enums import ActionStatus
from recouvre.dunning.models import Action
from recouvre.tenancy.domain.services import role_allows

APPROVAL_PAGE_SIZE = 100
REASON_MAX = 300


def _awaiting() -> QuerySet[Action]:
    return (
        Action.objects.filter(status=ActionStatus.AWAITING_APPROVAL)
        .select_related("debtor")
        .order_by("scheduled_for", "id")
    )


def _with_preview(action: Action) -> Action:
    decorate(action)
    action.has_preview = action.channel in POSTAL_CHANNELS  # type: ignore[attr-defined]
    return action


def _approval_page(
    request: HttpRequest,
    *,
    refused: int | None = None,
    refuse_error: str = "",
    reason: str = "",
    selected: frozenset[int] = frozenset(),
    bulk_error: str = "",
    bulk_reason: str = "",
    status: int = 200,
) -> HttpResponse:
    page = Paginator(_awaiting(), APPROVAL_PAGE_SIZE).get_page(request.GET.get("page"))
    for action in page:
        _with_preview(action)
    context = {
        "page": page,
        "page_ids": [action.pk for action in page],
        "refused": refused,
        "refuse_error": refuse_error,
        "reason": reason,
        "selected": selected,
        "bulk_error": bulk_error,
        "bulk_reason": bulk_reason,
        "reason_max": REASON_MAX,
        **rights(request),
    }
    return render(request, "backoffice/actions/approvals.html", context, status=status)


def _still_waiting(request: HttpRequest, action: Action) -> bool:
    if action.status == ActionStatus.AWAITING_APPROVAL:
        return True
    # Approved or refused by someone else meanwhile: the row is gone from the list.
    messages.error(
        request,
        _("Cette action n'attend plus d'approbation (statut : %(status)s) : rien n'a été changé.")
        % {"status": action.get_status_display()},
    )
    return False


@membership_required
@through_web
def approval_list(request: HttpRequest) -> HttpResponse:
    """The list; a POST is a row's "Refuser" (a reason is required), shown again here when refused."""
    if request.method != "POST":
        return _approval_page(request)
    if not role_allows(request.role, MANAGER):  # type: ignore[attr-defined]
        return forbidden(request, MANAGER)
    try:
        pk = int(request.POST.get("refuse", ""))
    except ValueError:
        return HttpResponseBadRequest()
    action = get_object_or_404(Action.objects.select_related("debtor"), pk=pk)
    if not _still_waiting(request, action):
        return redirect(request.get_full_path())
    reason = request.POST.get("reason", "").strip()[:REASON_MAX]
    error = cancel_with_reason(request, action, reason)
    if error:
        return _approval_page(request, refused=action.pk, refuse_error=error, reason=reason, status=400)
    cancelled_message(request, action, reason)
    return redirect(request.get_full_path())


def _selected_ids(request: HttpRequest) -> list[int] | None:
    """The ticked actions, each once; None when one is not a number (a forged form)."""
    try:
        ids = [int(value) for value in request.POST.getlist("action")]
    except ValueError:
        return None
    return list(dict.fromkeys(ids))


@require_POST
@role_required(MANAGER)
def approvals_approve(request: HttpRequest) -> HttpResponse:
    ids = _selected_ids(request)
    if ids is None:
        return HttpResponseBadRequest()
    back = back_to(request, reverse("backoffice:approval-list"))
    if not ids:
        messages.error(request, _("Sélectionnez au moins une mise en demeure à approuver."))
        return back
    # Checked here for a message a person understands; the service checks again under lock.
    waiting = set(_awaiting().filter(id__in=ids).values_list("id", flat=True))
    if waiting != set(ids):
        messages.error(
            request,
            _(
                "Rien n'a été approuvé : une action choisie n'attend plus d'approbation (déjà approuvée "
                "ou refusée par quelqu'un d'autre). La liste est à jour."
            ),
        )
        return redirect("backoffice:approval-list")
    try:
        approved = actions_approve(
            organisation=request.organisation,  # type: ignore[attr-defined]
            action_ids=ids,
            actor=request.user,
        )
    except ActionError as exc:
        messages.error(request, _("Rien n'a été approuvé : %(error)s") % {"error": exc})
        return redirect("backoffice:approval-list")
    messages.success(
        request,
        ngettext(
            "%(count)d mise en demeure approuvée : elle partira au prochain passage d'envoi.",
            "%(count)d mises en demeure approuvées : elles partiront au prochain passage d'envoi.",
            len(approved),
        )
        % {"count": len(approved)},
    )
    return back


@require_POST
@role_required(MANAGER)
def approvals_refuse(request: HttpRequest) -> HttpResponse:
    """The ticked actions refused with one reason, which is required (shown next to its field)."""
    ids = _selected_ids(request)
    if ids is None:
        return HttpResponseBadRequest()
    reason = request.POST.get("reason", "").strip()[:REASON_MAX]
    if not ids:
        messages.error(request, _("Sélectionnez au moins une action à refuser."))
        return redirect("backoffice:approval-list")
    if not reason:
        return _approval_page(
            request,
            selected=frozenset(ids),
            bulk_error=_("Indiquez la raison du refus."),
            status=400,
        )
    try:
        refused = actions_refuse(
            organisation=request.organisation,  # type: ignore[attr-defined]
            action_ids=ids,
            reason=reason,
            actor=request.user,
        )
    except ActionError:
        messages.error(
            request,
            _(
                "Rien n'a été refusé : une action choisie n'attend plus d'approbation (déjà approuvée "
                "ou refusée par quelqu'un d'autre). La liste est à jour."
            ),
        )
        return redirect("backoffice:approval-list")
    messages.success(
        request,
        ngettext(
            "%(count)d action refusée : %(reason)s",
            "%(count)d actions refusées : %(reason)s",
            len(refused),
        )
        % {"count": len(refused), "reason": reason},
    )
    return redirect("backoffice:approval-list")


# --- One notice ------------------------------------------------------------------------------------


def _following(action: Action) -> Action | None:
    """The next notice in the list's order, so that a manager can go through them one by one."""
    return (
        _awaiting()
        .filter(scheduled_for__gte=action.scheduled_for)
        .exclude(scheduled_for=action.scheduled_for, id__lte=action.pk)
        .first()
    )


@membership_required
@through_web
def approval_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One notice: its PDF as it would print today, approve it, or refuse it with a reason."""
    action = get_object_or_404(
        Action.objects.select_related("debtor", "approved_by").filter(
            Q(needs_approval=True) | Q(status=ActionStatus.AWAITING_APPROVAL)
        ),
        pk=pk,
    )
    following = _following(action)
    reason, error, status = "", "", 200
    if request.method == "POST":
        if not role_allows(request.role, MANAGER):  # type: ignore[attr-defined]
            return forbidden(request, MANAGER)
        if not _still_waiting(request, action):
            return redirect("backoffice:approval-detail", action.pk)
        reason = request.POST.get("reason", "").strip()[:REASON_MAX]
        error = cancel_with_reason(request, action, reason)
        if not error:
            cancelled_message(request, action, reason)
            if following is not None:
                return redirect("backoffice:approval-detail", following.pk)
            return redirect("backoffice:approval-list")
        status = 400
    _with_preview(action)
    next_url = (
        reverse("backoffice:approval-detail", args=[following.pk])
        if following
        else reverse("backoffice:approval-list")
    )
    findings: list[str] = []
    if action.has_preview:  # type: ignore[attr-defined]
        try:
            checked = letter_preview(
                organisation=request.organisation,  # type: ignore[attr-defined]
                action=action,
                today=paris_today(),
                render=False,
            )
            findings = finding_labels([f.code for f in checked.findings])
        except PreviewError:
            pass  # the preview frame says why there is no letter
    context = {
        "action": action,
        "debtor": action.debtor,
        "findings": findings,
        "waiting": action.status == ActionStatus.AWAITING_APPROVAL,
        "following": following,
        "next_url": next_url,
        "reason": reason,
        "refuse_error": error,
        "reason_max": REASON_MAX,
        **rights(request),
    }
    audit_view(request, action)
    return render(request, "backoffice/actions/approval_detail.html", context, status=status)


@membership_required
@xframe_options_sameorigin
def approval_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter as it would print today, shown in the notice's page (same origin only). Rendered on
    each request from the books as they are: a cached copy could show an invoice paid since."""
    action = get_object_or_404(Action.objects.select_related("debtor"), pk=pk)
    try:
        preview = letter_preview(
            organisation=request.organisation,  # type: ignore[attr-defined]
            action=action,
            today=paris_today(),
        )
    except PreviewError as exc:
        context = {"action": action, "reason": reason_label(str(exc)), "recorded": str(exc)}
        return render(request, "backoffice/actions/preview_unavailable.html", context, status=409)
    audit_view(request, action, object_type="action_preview")
    response = HttpResponse(preview.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{action.step}-{action.pk}-apercu.pdf"'
    response["Cache-Control"] = "no-store"
    return response


urls: list[URLPattern] = [
    path("approvals/refuse/", approvals_refuse, name="approvals-refuse"),
    path("approvals/<int:pk>/", approval_detail, name="approval-detail"),
    path("approvals/<int:pk>/preview/", approval_preview, name="approval-preview"),
]
