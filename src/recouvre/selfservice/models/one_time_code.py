from django.db import models

from recouvre.common.models import OrganisationScopedModel


class OneTimeCode(OrganisationScopedModel):
    """A code sent to a contact the creditor already knows, confirming a sensitive portal action (the
    signature of a payment plan). Only its hash is kept; it expires and allows a few attempts."""

    debtor = models.ForeignKey("ledger.Debtor", on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=40)  # "plan:<id>"
    code_hash = models.CharField(max_length=128)
    sent_to = models.CharField(max_length=254)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["debtor", "purpose"], name="otc_debtor_purpose")]
