from django.db import models

from recouvre.common.models import OrganisationScopedModel
from recouvre.dunning.enums import CaseStatus


class Case(OrganisationScopedModel):
    """One debtor's overdue episode (dunning.md): opens on the first overdue, undisputed invoice,
    closes when nothing overdue is left open. Its day counts from `anchor_due_date`, the due date of
    the invoice that opened it, and never goes backwards."""

    debtor = models.ForeignKey("ledger.Debtor", on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(max_length=6, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    opened_on = models.DateField()
    anchor_due_date = models.DateField()
    scenario = models.ForeignKey("dunning.Scenario", on_delete=models.PROTECT, null=True, related_name="+")
    closed_on = models.DateField(null=True, blank=True)
    close_reason = models.CharField(max_length=60, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["debtor"], condition=models.Q(status="open"), name="case_one_open_per_debtor"
            )
        ]
        indexes = [models.Index(fields=["organisation", "status"], name="case_org_status")]
