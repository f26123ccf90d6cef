from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    DEBTOR_CREATED = "debtor_created", _("Débiteur créé")
    DEBTOR_UPDATED = "debtor_updated", _("Coordonnées modifiées")
    INVOICES_IMPORTED = "invoices_imported", _("Factures importées")
    INVOICE_UPDATED = "invoice_updated", _("Facture modifiée")
    INVOICE_SETTLED = "invoice_settled", _("Facture soldée")
    PAYMENT_RECORDED = "payment_recorded", _("Paiement enregistré")
    CREDIT_NOTE_ALLOCATED = "credit_note_allocated", _("Avoir imputé")
    DISPUTE_OPENED = "dispute_opened", _("Litige ouvert")
    DISPUTE_CLOSED = "dispute_closed", _("Litige clos")
    CASE_OPENED = "case_opened", _("Relance ouverte")
    CASE_CLOSED = "case_closed", _("Relance close")
    MESSAGE_SENT = "message_sent", _("Message envoyé")
    MESSAGE_FAILED = "message_failed", _("Message non envoyé")
    ACTION_APPROVED = "action_approved", _("Action approuvée")
    ACTION_CANCELLED = "action_cancelled", _("Action annulée")
    TASK_DONE = "task_done", _("Tâche terminée")
    PROMISE_MADE = "promise_made", _("Promesse de paiement")
    PROMISE_KEPT = "promise_kept", _("Promesse tenue")
    PROMISE_BROKEN = "promise_broken", _("Promesse non tenue")
    NOTE = "note", _("Note")
    AGENT_ASSIGNED = "agent_assigned", _("Chargé de recouvrement attribué")
    DEBTOR_PAUSED = "debtor_paused", _("Relances suspendues")
    DEBTOR_RESUMED = "debtor_resumed", _("Relances reprises")
    SCENARIO_CHANGED = "scenario_changed", _("Scénario changé")
    # A call a person made outside any planned call task (from the debtor page), with its outcome.
    CALL_RECORDED = "call_recorded", _("Appel")
    CONTACT_CHANGED = "contact_changed", _("Contact modifié")
    # A one-off message a person asked for: it leaves through the outbox like any other.
    MESSAGE_PLANNED = "message_planned", _("Message programmé")
    # French law (issue 5): a new limitation period started (or a mistaken record withdrawn), a
    # document stopped by its compliance check, the insolvency proceedings recorded.
    LIMITATION_INTERRUPTED = "limitation_interrupted", _("Prescription interrompue")
    LIMITATION_INTERRUPTION_WITHDRAWN = "limitation_interruption_withdrawn", _("Interruption retirée")
    COMPLIANCE_FAILED = "compliance_failed", _("Document bloqué par le contrôle de conformité")
    INSOLVENCY_RECORDED = "insolvency_recorded", _("Procédure collective enregistrée")
    # The debtor side (issue 6): payment plans and the dispute workflow.
    PLAN_PROPOSED = "plan_proposed", _("Échéancier proposé")
    PLAN_ACCEPTED = "plan_accepted", _("Échéancier accepté")
    PLAN_REFUSED = "plan_refused", _("Échéancier refusé")
    PLAN_SIGNED = "plan_signed", _("Échéancier signé")
    PLAN_BROKEN = "plan_broken", _("Échéancier rompu")
    PLAN_COMPLETED = "plan_completed", _("Échéancier soldé")
    INSTALMENT_PAID = "instalment_paid", _("Échéance payée")
    DISPUTE_ASSIGNED = "dispute_assigned", _("Litige attribué")
    DISPUTE_NOTE = "dispute_note", _("Note sur un litige")
    DISPUTE_ATTACHMENT = "dispute_attachment", _("Pièce jointe à un litige")
    DEBTOR_TOLD = "debtor_told", _("Débiteur informé")
