"""The dunning engine's outbox in the back office: formal notices waiting for a manager, every action
sent or planned, and one action in full (what left, each hand-over, the letter's PDF).

Reads any role may do; approving or refusing (cancelling) an action takes a manager; noting a
registered letter's tracking number takes an agent. Every query runs inside the organisation scope
set by the middleware, so another organisation's action is a plain 404."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from recouvre.audit.domain.services import audit_record
from recouvre.audit.enums import AuditAction, Channel
from recouvre.backoffice.views.access import (
    AGENT,
    MANAGER,
    client_ip,
    membership_required,
    paris_today,
    rights,
    role_required,
    through_web,
)
from recouvre.dunning.domain.actions import ActionError, action_cancel, actions_approve, tracking_number_set
from recouvre.dunning.enums import ActionStatus
from recouvre.dunning.enums import Channel as ActionChannel
from recouvre.dunning.models import Action
from recouvre.messaging.transports.registry import transport_config
from recouvre.tenancy.domain.services import role_allows

View = Callable[..., HttpResponse]

PAGE_SIZE = 50
APPROVAL_PAGE_SIZE = 100


PROBLEM_STATUSES = (ActionStatus.FAILED, ActionStatus.UNKNOWN, ActionStatus.CANCELLED)
# A person may still cancel these (dunning.domain.actions.action_cancel).
CANCELLABLE = (
    ActionStatus.PLANNED,
    ActionStatus.AWAITING_APPROVAL,
    ActionStatus.FAILED,
    ActionStatus.UNKNOWN,
)
TASK_CHANNELS = (ActionChannel.CALL, ActionChannel.TASK)

NO_SMS_PROVIDER = "no SMS provider"

# The steps of the packaged scenarios; an organisation's own step codes are shown as they are.
STEP_LABELS = {
    "courtesy": gettext_lazy("Courtoisie (avant échéance)"),
    "reminder_1": gettext_lazy("Relance 1"),
    "reminder_2": gettext_lazy("Relance 2"),
    "sms": gettext_lazy("SMS"),
    "call": gettext_lazy("Appel"),
    "letter": gettext_lazy("Lettre de relance"),
    "formal_notice": gettext_lazy("Mise en demeure"),
    "litigation_review": gettext_lazy("Revue contentieuse"),
}

# The dispatcher and the planner record their reasons in English (they are also read on the command
# line); the page says them in the reader's language, and keeps the recorded text next to it.
REASONS = {
    NO_SMS_PROVIDER: gettext_lazy("Aucun fournisseur SMS n'est configuré : le SMS n'est pas parti."),
    "no mobile number": gettext_lazy("Aucun numéro de mobile connu."),
    "debtor marked do not contact": gettext_lazy("Débiteur marqué « ne pas contacter »."),
    "debtor in insolvency proceedings": gettext_lazy("Débiteur en procédure collective."),
    "promise to pay": gettext_lazy("Promesse de paiement en cours."),
    "nothing left to pay": gettext_lazy("Plus rien à payer."),
    "not a contact day": gettext_lazy("Jour sans envoi (dimanche ou jour férié) : reporté."),
    "every overdue invoice is disputed or on hold": gettext_lazy(
        "Toutes les factures échues sont en litige ou suspendues : reporté."
    ),
    "contact cap reached": gettext_lazy("Plafond de contacts atteint : reporté."),
    "no postal address: a task to find one": gettext_lazy(
        "Pas d'adresse postale : une tâche a été créée pour en trouver une."
    ),
    "no postal address": gettext_lazy("Pas d'adresse postale."),
    "no email address": gettext_lazy("Pas d'adresse e-mail."),
    "no email address: letter instead": gettext_lazy("Pas d'adresse e-mail : un courrier part à la place."),
    "no email address: task instead": gettext_lazy(
        "Pas d'adresse e-mail ni d'adresse postale : une tâche a été créée pour trouver un contact."
    ),
    "email impossible": gettext_lazy("E-mail impossible (pas d'adresse e-mail)."),
    "call impossible": gettext_lazy("Appel impossible (pas de numéro de téléphone)."),
    "letter impossible": gettext_lazy("Courrier impossible (pas d'adresse postale)."),
    "registered_letter impossible": gettext_lazy("Lettre recommandée impossible (pas d'adresse postale)."),
}
REASON_PREFIXES = (
    ("promise to pay until ", gettext_lazy("Promesse de paiement en cours : reporté.")),
    ("case closed", gettext_lazy("Dossier de relance clos.")),
    ("template ", gettext_lazy("Le modèle de message est invalide.")),
    ("transport settings: ", gettext_lazy("Les réglages d'envoi de l'organisation sont invalides.")),
    ("outcome unknown: ", gettext_lazy("Issue inconnue : le message est peut-être parti. À vérifier.")),
    ("internal error: ", gettext_lazy("Erreur interne pendant l'envoi.")),
)


def step_label(step: str) -> str:
    return str(STEP_LABELS.get(step, step))


def reason_label(reason: str) -> str:
    """The recorded reason in the reader's language, or "" when it has no translation (the page then
    shows the recorded text alone)."""
    if not reason:
        return ""
    if reason in REASONS:
        return str(REASONS[reason])
    for prefix, label in REASON_PREFIXES:
        if reason.startswith(prefix):
            return str(label)
    return ""


def decorate(action: Action) -> Action:
    """Labels the templates read (they have no access to Python dictionaries)."""
    action.step_label = step_label(action.step)  # type: ignore[attr-defined]
    action.reason_label = reason_label(action.status_reason)  # type: ignore[attr-defined]
    action.no_sms_provider = action.status_reason == NO_SMS_PROVIDER  # type: ignore[attr-defined]
    action.is_problem = action.status in PROBLEM_STATUSES  # type: ignore[attr-defined]
    action.is_task = action.channel in TASK_CHANNELS  # type: ignore[attr-defined]
    return action


def sms_provider_configured(organisation: Any) -> bool:
    try:
        return transport_config("sms", organisation.settings or {}) is not None
    except ValueError:
        # Configured but malformed: the dispatcher fails those SMS with the setting's error instead.
        return True


def audit_view(request: HttpRequest, action: Action, object_type: str = "action") -> None:
    # What a message said is the debtor's personal data: each look at it is recorded, like a debtor page.
    audit_record(
        organisation=request.organisation,  # type: ignore[attr-defined]
        actor=request.user,
        action=AuditAction.VIEW,
        channel=Channel.WEB,
        object_type=object_type,
        object_id=action.pk,
        debtor_id=action.debtor_id,
        path=request.get_full_path(),
        ip=client_ip(request),
    )


# --- Formal notices waiting for a manager ---------------------------------------------------------


def _awaiting() -> QuerySet[Action]:
    return (
        Action.objects.filter(status=ActionStatus.AWAITING_APPROVAL)
        .select_related("debtor")
        .order_by("scheduled_for", "id")
    )


def _approval_page(
    request: HttpRequest,
    *,
    refused: int | None = None,
    refuse_error: str = "",
    reason: str = "",
    status: int = 200,
) -> HttpResponse:
    page = Paginator(_awaiting(), APPROVAL_PAGE_SIZE).get_page(request.GET.get("page"))
    for action in page:
        decorate(action)
    context = {
        "page": page,
        "refused": refused,
        "refuse_error": refuse_error,
        "reason": reason,
        **rights(request),
    }
    return render(request, "backoffice/actions/approvals.html", context, status=status)


@membership_required
@through_web
def approval_list(request: HttpRequest) -> HttpResponse:
    """The list; a POST is a row's "Refuser" (a reason is required), shown again here when refused."""
    if request.method != "POST":
        return _approval_page(request)
    if not role_allows(request.role, MANAGER):  # type: ignore[attr-defined]
        return render(request, "backoffice/actions/forbidden.html", status=403)
    try:
        pk = int(request.POST.get("refuse", ""))
    except ValueError:
        return HttpResponseBadRequest()
    action = get_object_or_404(Action.objects.select_related("debtor"), pk=pk)
    if action.status != ActionStatus.AWAITING_APPROVAL:
        # Approved or refused by someone else meanwhile: the row is gone from the list.
        messages.error(
            request,
            _("Cette action n'attend plus d'approbation (statut : %(status)s) : rien n'a été changé.")
            % {"status": action.get_status_display()},
        )
        return redirect(request.get_full_path())
    reason = request.POST.get("reason", "").strip()
    error = _cancel(request, action, reason)
    if error:
        return _approval_page(request, refused=action.pk, refuse_error=error, reason=reason, status=400)
    _cancelled_message(request, action, reason)
    return redirect(request.get_full_path())


def _cancel(request: HttpRequest, action: Action, reason: str) -> str:
    """Cancels the action; the error to show next to the reason, or "" when done."""
    if not reason:
        return _("Indiquez la raison du refus.")
    if action.status not in CANCELLABLE:
        return _("Cette action ne peut plus être annulée (statut : %(status)s).") % {
            "status": action.get_status_display()
        }
    try:
        action_cancel(
            organisation=request.organisation,  # type: ignore[attr-defined]
            action_id=action.pk,
            reason=reason,
            actor=request.user,
        )
    except ActionError as exc:
        return str(exc)
    return ""


def _cancelled_message(request: HttpRequest, action: Action, reason: str) -> None:
    messages.success(
        request,
        _("%(step)s pour %(debtor)s annulée : %(reason)s")
        % {"step": step_label(action.step), "debtor": action.debtor.name, "reason": reason},
    )


def _selected_ids(request: HttpRequest) -> list[int] | None:
    try:
        ids = [int(value) for value in request.POST.getlist("action")]
    except ValueError:
        return None
    return list(dict.fromkeys(ids))


@require_POST
@role_required(MANAGER)
def approvals_approve(request: HttpRequest) -> HttpResponse:
    ids = _selected_ids(request)
    back = _back(request, reverse("backoffice:approval-list"))
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
        return back
    try:
        approved = actions_approve(
            organisation=request.organisation,  # type: ignore[attr-defined]
            action_ids=ids,
            actor=request.user,
        )
    except ActionError as exc:
        messages.error(request, _("Rien n'a été approuvé : %(error)s") % {"error": exc})
        return back
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


def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """Back to the page the form was on, when it is one of ours (never an outside address)."""
    wanted = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(wanted, allowed_hosts=None) and wanted.startswith("/"):
        return HttpResponseRedirect(wanted)
    return HttpResponseRedirect(default)


@require_POST
@role_required(MANAGER)
def action_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    """From the action's page: a planned, waiting, failed or unknown action given up, with a reason."""
    action = _action(pk)
    reason = request.POST.get("reason", "").strip()
    error = _cancel(request, action, reason)
    if error:
        return _detail_page(request, action, cancel_error=error, reason=reason, status=400)
    _cancelled_message(request, action, reason)
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
