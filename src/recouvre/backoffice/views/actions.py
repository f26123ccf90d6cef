"""The dunning engine's outbox in the back office: every action sent or planned, and one action in
full (what left, each hand-over, the letter's PDF). Formal notices waiting for a manager are in
`approvals` (re-exported here, where the URL configuration looks for them).

Reads any role may do; refusing (cancelling) an action takes a manager; noting a registered
letter's tracking number takes an agent. Every query runs inside the organisation scope set by the
middleware, so another organisation's action is a plain 404."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from recouvre.backoffice.views.access import (
    AGENT,
    MANAGER,
    membership_required,
    paris_today,
    rights,
    role_required,
)
from recouvre.backoffice.views.action_parts import (
    CANCELLABLE,
    NO_SMS_PROVIDER,
    PROBLEM_STATUSES,
    REASONS,
    STEP_LABELS,
    TASK_CHANNELS,
    audit_view,
    cancel_with_reason,
    cancelled_message,
    decorate,
    reason_label,
    sms_provider_configured,
    step_label,
)
from recouvre.backoffice.views.approvals import APPROVAL_PAGE_SIZE, approval_list, approvals_approve
from recouvre.dunning.domain.actions import ActionError, tracking_number_set
from recouvre.dunning.enums import ActionStatus
from recouvre.dunning.enums import Channel as ActionChannel
from recouvre.dunning.models import Action

# Other modules and urls.py read these names here; they live in action_parts and approvals.
__all__ = [
    "APPROVAL_PAGE_SIZE",
    "CANCELLABLE",
    "NO_SMS_PROVIDER",
    "PROBLEM_STATUSES",
    "REASONS",
    "STEP_LABELS",
    "TASK_CHANNELS",
    "action_cancel_view",
    "action_detail",
    "action_document",
    "action_list",
    "action_tracking",
    "approval_list",
    "approvals_approve",
    "audit_view",
    "decorate",
    "document_path",
    "outbox_rows",
    "reason_label",
    "sms_provider_configured",
    "step_label",
]

PAGE_SIZE = 50


@require_POST
@role_required(MANAGER)
def action_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    """From the action's page: a planned, waiting, failed or unknown action given up, with a reason."""
    action = _action(pk)
    reason = request.POST.get("reason", "").strip()
    error = cancel_with_reason(request, action, reason)
    if error:
        return _detail_page(request, action, cancel_error=error, reason=reason, status=400)
    cancelled_message(request, action, reason)
    return redirect("backoffice:action-detail", action.pk)


# --- The outbox -----------------------------------------------------------------------------------


class OutboxFilter(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Statut"),
        required=False,
        choices=[("", gettext_lazy("Tous")), ("problems", gettext_lazy("Problèmes")), *ActionStatus.choices],
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Canal"),
        required=False,
        choices=[("", gettext_lazy("Tous")), *ActionChannel.choices],
    )
    date_from = forms.DateField(
        label=gettext_lazy("Du"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=gettext_lazy("Au"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    q = forms.CharField(
        label=gettext_lazy("Débiteur"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": gettext_lazy("Nom ou compte client"),
                "autocomplete": "off",
            }
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("La fin de la période précède son début."))
        return data


def outbox_rows(data: dict[str, Any]) -> QuerySet[Action]:
    actions = Action.objects.select_related("debtor")
    status = data.get("status")
    if status == "problems":
        actions = actions.filter(status__in=PROBLEM_STATUSES)
    elif status:
        actions = actions.filter(status=status)
    if data.get("channel"):
        actions = actions.filter(channel=data["channel"])
    if data.get("date_from"):
        actions = actions.filter(scheduled_for__gte=data["date_from"])
    if data.get("date_to"):
        actions = actions.filter(scheduled_for__lte=data["date_to"])
    query = (data.get("q") or "").strip()
    if query:
        actions = actions.filter(Q(debtor__name__icontains=query) | Q(debtor__ref__icontains=query))
    return actions.order_by("-scheduled_for", "-id")


def _is_htmx_fragment(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and "HX-History-Restore-Request" not in request.headers


@membership_required
def action_list(request: HttpRequest) -> HttpResponse:
    form = OutboxFilter(request.GET or None)
    data: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()
        # An invalid field (a mistyped date) is shown with its error; the other filters still apply.
        data = {key: value for key, value in form.cleaned_data.items() if key not in form.errors}
    page = Paginator(outbox_rows(data), PAGE_SIZE).get_page(request.GET.get("page"))
    for action in page:
        decorate(action)
    context = {"form": form, "page": page, "filtered": any(data.values())}
    if _is_htmx_fragment(request):
        response = render(request, "backoffice/actions/_outbox_table.html", context)
    else:
        context |= {
            "sms_provider": sms_provider_configured(request.organisation),  # type: ignore[attr-defined]
            "problem_count": Action.objects.filter(
                status__in=(ActionStatus.FAILED, ActionStatus.UNKNOWN)
            ).count(),
            "awaiting_count": Action.objects.filter(status=ActionStatus.AWAITING_APPROVAL).count(),
        }
        response = render(request, "backoffice/actions/list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- One action -------------------------------------------------------------------------------------


class TrackingForm(forms.Form):
    tracking_number = forms.CharField(
        label=gettext_lazy("Numéro de suivi du recommandé"), max_length=60, required=True, strip=True
    )


def _detail_page(
    request: HttpRequest,
    action: Action,
    *,
    cancel_error: str = "",
    reason: str = "",
    tracking_form: TrackingForm | None = None,
    status: int = 200,
) -> HttpResponse:
    decorate(action)
    attempts = list(action.attempt_rows.order_by("number"))
    context = {
        "action": action,
        "debtor": action.debtor,
        "attempts": attempts,
        "cancellable": action.status in CANCELLABLE,
        "cancel_error": cancel_error,
        "reason": reason,
        "tracking_form": tracking_form
        or TrackingForm(initial={"tracking_number": action.tracking_number}, auto_id="id_tracking_%s"),
        "sms_provider": sms_provider_configured(request.organisation),  # type: ignore[attr-defined]
        "today": paris_today(),
        **rights(request),
    }
    audit_view(request, action)
    return render(request, "backoffice/actions/detail.html", context, status=status)


def _action(pk: int) -> Action:
    return get_object_or_404(
        Action.objects.select_related("debtor", "approved_by", "completed_by", "fallback_of"), pk=pk
    )


@membership_required
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, _action(pk))


@require_POST
@role_required(AGENT)
def action_tracking(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action(pk)
    if action.channel != ActionChannel.REGISTERED_LETTER:
        raise Http404
    form = TrackingForm(request.POST, auto_id="id_tracking_%s")
    if not form.is_valid():
        return _detail_page(request, action, tracking_form=form, status=400)
    try:
        tracking_number_set(
            organisation=request.organisation,  # type: ignore[attr-defined]
            action_id=action.pk,
            tracking_number=form.cleaned_data["tracking_number"],
            actor=request.user,
        )
    except ActionError as exc:
        form.add_error("tracking_number", str(exc))
        return _detail_page(request, action, tracking_form=form, status=400)
    messages.success(request, _("Numéro de suivi enregistré."))
    return redirect("backoffice:action-detail", action.pk)


def document_path(relative: str) -> Path | None:
    """The stored PDF, only when it lies under the data directory's documents."""
    if not relative:
        return None
    root = (Path(settings.DATA_DIR) / "documents").resolve()
    path = (Path(settings.DATA_DIR) / relative).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


@membership_required
def action_document(request: HttpRequest, pk: int) -> HttpResponse:
    # The scope makes another organisation's action a 404, whatever its number.
    action = get_object_or_404(Action.objects.all(), pk=pk)
    path = document_path(action.document)
    if path is None:
        raise Http404
    audit_view(request, action, object_type="action_document")
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{action.step}-{action.pk}.pdf",
        content_type="application/pdf",
    )
