from django.conf import settings
from django.db import models

from recouvre.common.models import OrganisationScopedModel
from recouvre.imports.enums import ImportKind, ImportStatus


class ImportBatch(OrganisationScopedModel):
    """One import run and its report. A refused file leaves only this row, written after the
    rollback, so the history of imports shows refused attempts too."""

    kind = models.CharField(max_length=20, choices=ImportKind.choices, default=ImportKind.INVOICES_CSV)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, blank=True, default="")
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.RUNNING)
    complete = models.BooleanField(default=False)
    dry_run = models.BooleanField(default=False)
    # An upload waiting for (or read by) the worker; kept for the record of what was imported.
    upload_path = models.CharField(max_length=500, blank=True, default="")
    # The interface it came through (web, api, cli), carried into the worker for the audit log.
    channel = models.CharField(max_length=10, blank=True, default="")
    lines = models.PositiveIntegerField(default=0)
    # Counted when the upload is stored, so that the page can show how far the worker has read.
    total_lines = models.PositiveIntegerField(default=0)
    # The column mapping the file was read with ({source header: canonical column}); empty when the
    # file uses the canonical names.
    column_mapping = models.JSONField(default=dict, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    settled = models.PositiveIntegerField(default=0)
    warnings = models.JSONField(default=list, blank=True)
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["organisation", "-started_at"], name="import_org_time")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"
