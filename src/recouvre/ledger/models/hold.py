from django.conf import settings
from django.db import models

from recouvre.common.models import OrganisationScopedModel


class Hold(OrganisationScopedModel):
    """A person takes one invoice out of the reminders for a reason until a date (dunning.md)."""

    invoice = models.ForeignKey("ledger.Invoice", on_delete=models.PROTECT, related_name="holds")
    reason = models.CharField(max_length=300)
    starts_on = models.DateField()
    ends_on = models.DateField()
    released_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="hold_period_valid"
            )
        ]
