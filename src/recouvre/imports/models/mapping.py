from django.conf import settings
from django.db import models

from recouvre.common.models import OrganisationScopedModel


class ColumnMapping(OrganisationScopedModel):
    """How an organisation's own export names the canonical columns (invoices-csv.md), saved once
    and suggested again for the next file with the same headers."""

    name = models.CharField(max_length=100)
    # {source header in lower case: canonical column, or "" for a column to ignore}
    columns = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="column_mapping_org_name"),
        ]

    def __str__(self) -> str:
        return self.name
