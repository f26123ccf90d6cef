"""What the dunning engine's pages share (the outbox, one action, approvals, tasks): steps and
recorded reasons in the reader's language, the audit of each look at a message, and cancelling an
action with a reason."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recouvre.backoffice.views.access import audit_look
from recouvre.dunning.domain.actions import ActionError, action_cancel
from recouvre.dunning.enums import ActionStatus
from recouvre.dunning.enums import Channel as ActionChannel
from recouvre.dunning.models import Action
from recouvre.messaging.transports.registry import transport_config

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
COMPLIANCE_PREFIX = "compliance check failed: "
# dunning.domain.callbacks records "callback requested between 14:00 and 17:00 on +33612345678".
CALLBACK_REASON = re.compile(
    r"callback requested between (?P<start>\d+):00 and (?P<end>\d+):00 on (?P<phone>\S+)"
)

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
    "callback": gettext_lazy("Rappel demandé"),
    "dispute_outcome": gettext_lazy("Issue du litige"),
    "plan_instalment": gettext_lazy("Rappel d'échéance (échéancier)"),
}

# The dispatcher and the planner record their reasons in English (they are also read on the command
# line); the page says them in the reader's language, and keeps the recorded text next to it.
REASONS = {
    NO_SMS_PROVIDER: gettext_lazy("Aucun fournisseur SMS n'est configuré : le SMS n'est pas parti."),
    "no mobile number": gettext_lazy("Aucun numéro de mobile connu."),
    "debtor marked do not contact": gettext_lazy("Débiteur marqué « ne pas contacter »."),
    "debtor in insolvency proceedings": gettext_lazy("Débiteur en procédure collective."),
    "promise to pay": gettext_lazy("Promesse de paiement en cours."),
    "payment plan": gettext_lazy("Échéancier en cours : ses échéances remplacent les relances."),
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
    (COMPLIANCE_PREFIX, gettext_lazy("Bloqué par le contrôle de conformité : le document n'est pas parti.")),
)

# law.domain.compliance's finding codes, as the credit manager reads them.
FINDING_LABELS = {
    "placeholder_left": gettext_lazy("Un champ {{ … }} n'a pas été remplacé."),
    "court_imitation": gettext_lazy(
        "Formulation qui imite un acte de justice ou d'huissier (interdit, C. pénal 433-13)."
    ),
    "unlawful_threat": gettext_lazy(
        "Menace d'une mesure impossible sans titre exécutoire (saisie, fichage, poursuites pénales, tiers)."
    ),
    "consumer_fees": gettext_lazy(
        "Frais réclamés à un particulier : interdit avant un titre exécutoire (CPCE L111-8)."
    ),
    "penalty_rate_missing": gettext_lazy(
        "Le taux des pénalités de retard n'est pas indiqué (C. com. L441-10)."
    ),
    "indemnity_missing": gettext_lazy("L'indemnité forfaitaire de 40 € n'est pas indiquée (C. com. D441-5)."),
    "formal_notice_words": gettext_lazy("Les mots « mise en demeure » manquent."),
    "formal_notice_total": gettext_lazy("Le total réclamé n'est pas indiqué."),
    "formal_notice_deadline": gettext_lazy("Le délai de paiement n'est pas indiqué."),
    "agency_identity": gettext_lazy(
        "L'agence, son adresse et son activité de recouvrement amiable ne sont pas indiquées (R124-4 1°)."
    ),
    "agency_creditor": gettext_lazy("Le créancier et son adresse ne sont pas indiqués (R124-4 2°)."),
    "agency_amount": gettext_lazy(
        "La créance n'est pas détaillée en principal, intérêts et accessoires (R124-4 3°)."
    ),
    "agency_payment": gettext_lazy("Les moyens de paiement ne sont pas indiqués (R124-4 4°)."),
    "agency_l111_8": gettext_lazy("Les alinéas 2 et 3 de l'article L111-8 du CPCE ne sont pas reproduits."),
}


def finding_labels(codes: list[str]) -> list[str]:
    return [str(FINDING_LABELS.get(code, code)) for code in dict.fromkeys(codes)]


def findings_in_reason(reason: str) -> list[str]:
    """The finding codes a blocked action's recorded reason lists (`code (detail); code (detail)`)."""
    if not reason.startswith(COMPLIANCE_PREFIX):
        return []
    return [part.split(" (", 1)[0].strip() for part in reason.removeprefix(COMPLIANCE_PREFIX).split("; ")]


def step_label(step: str) -> str:
    return str(STEP_LABELS.get(step, step))


def reason_label(reason: str) -> str:
    """The recorded reason in the reader's language, or "" when it has no translation (the page then
    shows the recorded text alone)."""
    if not reason:
        return ""
    callback = CALLBACK_REASON.match(reason)
    if callback:
        return _(
            "Rappel demandé par le débiteur sur le portail : entre %(start)s h et %(end)s h, au %(phone)s."
        ) % {
            "start": callback["start"],
            "end": callback["end"],
            "phone": callback["phone"],
        }
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
    action.finding_labels = finding_labels(findings_in_reason(action.status_reason))  # type: ignore[attr-defined]
    return action


def sms_provider_configured(organisation: Any) -> bool:
    try:
        return transport_config("sms", organisation.settings or {}) is not None
    except ValueError:
        # Configured but malformed: the dispatcher fails those SMS with the setting's error instead.
        return True


def audit_view(request: HttpRequest, action: Action, object_type: str = "action") -> None:
    # What a message said is the debtor's personal data: each look at it is recorded, like a debtor page.
    audit_look(request, object_type=object_type, object_id=action.pk, debtor_id=action.debtor_id)


def cancel_with_reason(request: HttpRequest, action: Action, reason: str) -> str:
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


def cancelled_message(request: HttpRequest, action: Action, reason: str) -> None:
    messages.success(
        request,
        _("%(step)s pour %(debtor)s annulée : %(reason)s")
        % {"step": step_label(action.step), "debtor": action.debtor.name, "reason": reason},
    )


def back_to(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """Back to the page the form was on, when it is one of ours (never an outside address)."""
    wanted = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(wanted, allowed_hosts=None) and wanted.startswith("/"):
        return HttpResponseRedirect(wanted)
    return HttpResponseRedirect(default)
