from django.conf import settings
from django.db import models

from recouvre.common.models import OrganisationScopedModel
from recouvre.ledger.enums import InterruptionKind


class LimitationInterruption(OrganisationScopedModel):
    """An event that starts a new limitation period for one invoice (french-law.md § Limitation):
    an acknowledgement by the debtor, a signed payment plan, a court claim, an enforcement or
    conservatory measure. Part-payments interrupt too but are read from the allocations. Rows are
    never edited; a mistaken one is withdrawn (kept, with who withdrew it and why)."""

    invoice = models.ForeignKey("ledger.Invoice", on_delete=models.PROTECT, related_name="interruptions")
    kind = models.CharField(max_length=20, choices=InterruptionKind.choices)
    date = models.DateField()
    # What proves it: the court's reference, the plan's number, the letter's date.
    reference = models.CharField(max_length=200, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_reason = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["invoice", "date"], name="interruption_invoice_date")]
