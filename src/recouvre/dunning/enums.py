from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    LETTER = "letter", _("Courrier")
    REGISTERED_LETTER = "registered_letter", _("Lettre recommandée")
    CALL = "call", _("Appel")
    TASK = "task", _("Tâche")


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planifiée")
    AWAITING_APPROVAL = "awaiting_approval", _("À approuver")
    # Taken by a dispatcher, not yet handed to a transport: a dispatcher that dies leaves it to be
    # taken again (it was never sent).
    CLAIMED = "claimed", _("Prise en charge")
    # Handed to a transport, outcome not yet recorded: a dispatcher that dies leaves it `unknown`.
    SENDING = "sending", _("En cours d'envoi")
    DISPATCHED = "dispatched", _("Envoyée")
    DONE = "done", _("Terminée")
    FAILED = "failed", _("Échec")
    UNKNOWN = "unknown", _("Issue inconnue")
    CANCELLED = "cancelled", _("Annulée")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Ouvert")
    CLOSED = "closed", _("Clos")


class CallOutcome(models.TextChoices):
    REACHED = "reached", _("Joint")
    PROMISE = "promise", _("Promesse de paiement")
    DISPUTE = "dispute", _("Litige")
    NO_ANSWER = "no_answer", _("Pas de réponse")
    WRONG_NUMBER = "wrong_number", _("Mauvais numéro")
    REFUSES = "refuses", _("Refuse de payer")


class AttemptOutcome(models.TextChoices):
    DELIVERED = "delivered", _("Remis")
    TRANSIENT = "transient", _("Échec temporaire")
    PERMANENT = "permanent", _("Échec définitif")
    UNKNOWN = "unknown", _("Inconnu")
