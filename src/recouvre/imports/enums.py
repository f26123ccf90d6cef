from django.db import models


class ImportKind(models.TextChoices):
    INVOICES_CSV = "invoices_csv"


class ImportStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    REFUSED = "refused"
    DRY_RUN = "dry_run"
    FAILED = "failed"
