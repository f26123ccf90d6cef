from django.conf import settings
from django.db import models

from recouvre.arrangements.enums import PromiseStatus
from recouvre.common.models import OrganisationScopedModel


class Promise(OrganisationScopedModel):
    """A debtor's promise to pay `amount` by `promised_date`. It pauses the case from `made_on`
    through `window_end` (the promised date plus 2 business days, both inclusive) and is kept when
    the payments dated within that window reach the amount (dunning.md)."""

    debtor = models.ForeignKey("ledger.Debtor", on_delete=models.PROTECT, related_name="promises")
    made_on = models.DateField()
    promised_date = models.DateField()
    window_end = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    status = models.CharField(max_length=10, choices=PromiseStatus.choices, default=PromiseStatus.OPEN)
    resolved_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-made_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="promise_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(promised_date__gte=models.F("made_on")), name="promise_date_after_made"
            ),
            # One promise in force per debtor: a new one replaces the old (the service cancels it).
            models.UniqueConstraint(
                fields=["debtor"], condition=models.Q(status="open"), name="promise_one_open_per_debtor"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status"], name="promise_org_status")]
