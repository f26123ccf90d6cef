from django.db import models
from django.utils.translation import gettext_lazy as _


class DebtorType(models.TextChoices):
    B2B = "B2B", _("Entreprise")
    B2C = "B2C", _("Particulier")
    PUBLIC = "PUBLIC", _("Organisme public")


class Segment(models.TextChoices):
    TPE = "TPE", _("TPE")
    PME = "PME", _("PME")
    ETI = "ETI", _("ETI")
    GE = "GE", _("Grand compte")


class Language(models.TextChoices):
    FR = "fr", _("Français")
    EN = "en", _("Anglais")


class ContactKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Téléphone")


class DocumentType(models.TextChoices):
    INVOICE = "invoice", _("Facture")
    CREDIT_NOTE = "credit_note", _("Avoir")


class InvoiceStatus(models.TextChoices):
    OPEN = "open", _("Ouverte")
    PAID = "paid", _("Soldée")
    CANCELLED = "cancelled", _("Annulée")


class PaymentSource(models.TextChoices):
    MANUAL = "manual", _("Saisie")
    IMPORT = "import", _("Import")
    BANK = "bank", _("Relevé bancaire")
    PORTAL = "portal", _("Portail")


class Origin(models.TextChoices):
    """Where a row came from, for the history a credit manager reads."""

    IMPORT = "import", _("Import")
    MANUAL = "manual", _("Saisie")
    API = "api", _("API")
    DEMO = "demo", _("Démo")


class AllocationPart(models.TextChoices):
    """What a share of a payment settled: the invoice's principal, or the late-payment interest it
    bore (C. civ. 1343-1, when the organisation imputes payments on interest first)."""

    PRINCIPAL = "principal", _("Principal")
    INTEREST = "interest", _("Intérêts")


class InterruptionKind(models.TextChoices):
    """What starts a new limitation period (C. civ. 2240, 2241, 2244). A reminder or a formal notice
    is deliberately absent: it never interrupts limitation."""

    ACKNOWLEDGEMENT = "acknowledgement", _("Reconnaissance de dette")
    PAYMENT_PLAN = "payment_plan", _("Échéancier signé")
    COURT_CLAIM = "court_claim", _("Demande en justice")
    ENFORCEMENT = "enforcement", _("Mesure d'exécution ou conservatoire")
