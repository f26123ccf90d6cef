from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    INVOICES_CSV = "invoices_csv"


class ImportStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    REFUSED = "refused"
    DRY_RUN = "dry_run"
    FAILED = "failed"


class CsvColumn(models.TextChoices):
    """The canonical columns (csv_reader.COLUMNS, invoices-csv.md), named for people choosing a
    column mapping."""

    INVOICE_NUMBER = "invoice_number", _("N° de facture")
    DEBTOR_REF = "debtor_ref", _("Code client (compte du débiteur)")
    DEBTOR_NAME = "debtor_name", _("Nom ou raison sociale du débiteur")
    DEBTOR_TYPE = "debtor_type", _("Type de débiteur (B2B, B2C, PUBLIC)")
    DEBTOR_SEGMENT = "debtor_segment", _("Segment (TPE, PME, ETI, GE)")
    DEBTOR_SIREN = "debtor_siren", _("SIREN ou SIRET")
    DEBTOR_VAT = "debtor_vat", _("N° de TVA intracommunautaire")
    DEBTOR_EMAIL = "debtor_email", _("E-mail(s)")
    DEBTOR_PHONE = "debtor_phone", _("Téléphone")
    DEBTOR_ADDRESS = "debtor_address", _("Adresse")
    DEBTOR_POSTCODE = "debtor_postcode", _("Code postal")
    DEBTOR_CITY = "debtor_city", _("Ville")
    DEBTOR_COUNTRY = "debtor_country", _("Pays")
    ISSUE_DATE = "issue_date", _("Date de facture")
    DUE_DATE = "due_date", _("Date d'échéance")
    AMOUNT = "amount", _("Montant TTC")
    AMOUNT_EXCL_TAX = "amount_excl_tax", _("Montant HT")
    CURRENCY = "currency", _("Devise")
    OPEN_AMOUNT = "open_amount", _("Reste à payer")
    PAID_DATE = "paid_date", _("Date de paiement")
    DISPUTED = "disputed", _("En litige")
    PO_NUMBER = "po_number", _("N° de bon de commande")
    DOCUMENT_TYPE = "document_type", _("Type de document (facture, avoir)")
    APPLIES_TO = "applies_to", _("Facture corrigée par l'avoir")
    DELIVERY_DATE = "delivery_date", _("Date de livraison")
    PAYMENT_TERMS = "payment_terms", _("Conditions de paiement")
    DEBTOR_LANGUAGE = "debtor_language", _("Langue du débiteur")


STATUS_LABELS = {
    ImportStatus.QUEUED: _("En attente"),
    ImportStatus.RUNNING: _("En cours"),
    ImportStatus.DONE: _("Importé"),
    ImportStatus.REFUSED: _("Refusé"),
    ImportStatus.DRY_RUN: _("Simulation"),
    ImportStatus.FAILED: _("Échec"),
}
