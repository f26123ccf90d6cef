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
    NOTE = "note", _("Note")
