from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from recouvre.common.models import OrganisationScopedModel
from recouvre.timeline.enums import EventKind


class AppendOnlyError(RuntimeError):
    pass


class EventQuerySet(models.QuerySet["Event"]):
    def update(self, **kwargs: object) -> int:
        raise AppendOnlyError("timeline events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("timeline events are append-only")


class Event(OrganisationScopedModel):
    """One thing that happened to a debtor. Never updated nor deleted; GDPR redaction (later) is the
    one exception and goes through its own service, recorded as an event itself."""

    debtor = models.ForeignKey("ledger.Debtor", on_delete=models.PROTECT, related_name="events")
    invoice = models.ForeignKey(
        "ledger.Invoice", on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    kind = models.CharField(max_length=40, choices=EventKind.choices)
    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    # A human-readable line in French built when the event is recorded; `data` keeps the facts
    # (amounts as strings, old/new values) for the interface to render in either language.
    summary = models.CharField(max_length=500, blank=True, default="")
    data = models.JSONField(default=dict, blank=True)

    objects = ScopedManager(
        organisation="organisation", _manager_class=models.Manager.from_queryset(EventQuerySet)
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["debtor", "-occurred_at"], name="event_debtor_time"),
            models.Index(fields=["organisation", "-occurred_at"], name="event_org_time"),
        ]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise AppendOnlyError("timeline events are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("timeline events are append-only")
