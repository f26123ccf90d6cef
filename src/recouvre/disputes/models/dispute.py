from django.conf import settings
from django.db import models

from recouvre.common.models import OrganisationScopedModel
from recouvre.disputes.enums import DisputeOutcome, DisputeReason, DisputeStatus


class Dispute(OrganisationScopedModel):
    invoice = models.ForeignKey("ledger.Invoice", on_delete=models.PROTECT, related_name="disputes")
    debtor = models.ForeignKey("ledger.Debtor", on_delete=models.PROTECT, related_name="disputes")
    reason = models.CharField(max_length=20, choices=DisputeReason.choices)
    comment = models.TextField(blank=True, default="")
    status = models.CharField(max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    outcome = models.CharField(max_length=20, choices=DisputeOutcome.choices, blank=True, default="")
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        indexes = [models.Index(fields=["organisation", "status", "opened_on"], name="dispute_org_status")]
        constraints = [
            # One open dispute per invoice: a second complaint is a comment on the first.
            models.UniqueConstraint(
                fields=["invoice"], condition=models.Q(status="open"), name="dispute_one_open_per_invoice"
            )
        ]
