from django.db import models
from django.utils.translation import gettext_lazy as _


class PromiseStatus(models.TextChoices):
    OPEN = "open", _("En cours")
    KEPT = "kept", _("Tenue")
    BROKEN = "broken", _("Non tenue")
    CANCELLED = "cancelled", _("Annulée")


class PlanStatus(models.TextChoices):
    # Within the rules or approved by a manager: the plan waits for the debtor's signature.
    PROPOSED = "proposed", _("À signer")
    AWAITING_APPROVAL = "awaiting_approval", _("En attente d'un responsable")
    ACTIVE = "active", _("En cours")
    BROKEN = "broken", _("Rompu")
    COMPLETED = "completed", _("Soldé")
    REFUSED = "refused", _("Refusé")
    CANCELLED = "cancelled", _("Annulé")


# A debtor has at most one plan in these at a time.
PLAN_OPEN_STATUSES = (PlanStatus.PROPOSED, PlanStatus.AWAITING_APPROVAL, PlanStatus.ACTIVE)


class PlanFrequency(models.TextChoices):
    MONTHLY = "monthly", _("Mensuelle")
    WEEKLY = "weekly", _("Hebdomadaire")


class PlanSource(models.TextChoices):
    """Who proposed the plan."""

    PORTAL = "portal", _("Le débiteur, sur le portail")
    AGENT = "agent", _("Un chargé de recouvrement")
    API = "api", _("L'API")


class SignatureMethod(models.TextChoices):
    # The debtor signed on the portal (confirmed by a one-time code there).
    PORTAL = "portal", _("Signature électronique sur le portail")
    # A person recorded a signature the debtor gave otherwise (a signed copy returned).
    RECORDED = "recorded", _("Signature reçue, enregistrée par un chargé de recouvrement")


class InstalmentStatus(models.TextChoices):
    DUE = "due", _("À payer")
    PAID = "paid", _("Payée")
    MISSED = "missed", _("Impayée")
