from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models

from recouvre.common.models import OrganisationScopedModel
from recouvre.disputes.enums import DisputeOutcome, DisputeReason, DisputeSource, DisputeStatus

# Days the creditor gives itself to answer a dispute, from the day it was opened. Meant to become an
# organisation setting (issue 6 asks for "an organisation default of 15"); until tenancy has it, every
# organisation gets 15 days, and the date is stored on the dispute so that a later change of the
# default does not move the deadlines already promised.
ANSWER_DAYS = 15


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
    # Null only for a row saved without going through save() (a bulk insert); save() sets it.
    answer_due = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=12, choices=DisputeSource.choices, default=DisputeSource.BACK_OFFICE)
    # The credit note issued on closing (outcomes credit_note and invoice_cancelled): the outcome
    # notice tells the debtor its amount.
    credit_note = models.ForeignKey(
        "ledger.Invoice", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Set on closing, cleared once the debtor was told the outcome (dispute_debtor_told): what the
    # outbox still has to send. Disputes closed before this existed were never meant to be told.
    debtor_to_tell = models.BooleanField(default=False)
    debtor_told_at = models.DateTimeField(null=True, blank=True)
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

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.answer_due is None and self.opened_on is not None:
            self.answer_due = self.opened_on + timedelta(days=ANSWER_DAYS)
            fields = kwargs.get("update_fields")
            if fields is not None:
                kwargs["update_fields"] = {*fields, "answer_due"}
        super().save(*args, **kwargs)
