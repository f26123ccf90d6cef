from django.db import models
from django.utils.translation import gettext_lazy as _


class DisputeReason(models.TextChoices):
    PRICE = "price", _("Prix")
    QUANTITY = "quantity", _("Quantité")
    QUALITY = "quality", _("Qualité")
    DELIVERY = "delivery", _("Livraison")
    DUPLICATE = "duplicate", _("Doublon")
    ALREADY_PAID = "already_paid", _("Déjà payée")
    OTHER = "other", _("Autre")


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Ouvert")
    CLOSED = "closed", _("Clos")


class DisputeOutcome(models.TextChoices):
    UPHELD = "upheld", _("Facture maintenue")
    CREDIT_NOTE = "credit_note", _("Avoir")
    INVOICE_CANCELLED = "invoice_cancelled", _("Facture annulée")
    WITHDRAWN = "withdrawn", _("Retiré par le débiteur")


class DisputeSource(models.TextChoices):
    """Where the debtor's complaint came in: the debtor's own portal, a person in the back office, a
    file, or a program through the API or the command line."""

    BACK_OFFICE = "back_office", _("Back office")
    PORTAL = "portal", _("Portail débiteur")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    CLI = "cli", _("Ligne de commande")
