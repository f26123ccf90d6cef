from django.db import models

from recouvre.common.models import OrganisationScopedModel


class CycleRun(OrganisationScopedModel):
    """The daily plan of one organisation: the row is the lock that makes the automatic trigger
    plan a day once, however many workers run; `recouvre cycle --date D` plans again on demand
    (planning is idempotent)."""

    day = models.DateField()
    planned_at = models.DateTimeField(null=True, blank=True)
    figures = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "day"], name="cycle_run_once_per_day")]


class PrintBatch(OrganisationScopedModel):
    """The letters of one day as one PDF for the print room and a CSV for a mailing house."""

    day = models.DateField()
    pdf_path = models.CharField(max_length=300)
    csv_path = models.CharField(max_length=300)
    letters = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    built_at = models.DateTimeField()

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "day"], name="print_batch_once_per_day")
        ]
