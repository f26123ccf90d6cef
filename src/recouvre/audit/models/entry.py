from django.conf import settings
from django.db import models

from recouvre.audit.enums import AuditAction, Channel
from recouvre.common.models import OrganisationScopedModel


class AuditEntry(OrganisationScopedModel):
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    action = models.CharField(max_length=10, choices=AuditAction.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64, blank=True, default="")
    # Which debtor's data was touched, so a GDPR access request can list every access to a person.
    debtor = models.ForeignKey(
        "ledger.Debtor", on_delete=models.PROTECT, null=True, blank=True, related_name="audit_entries"
    )
    changes = models.JSONField(default=dict, blank=True)
    path = models.CharField(max_length=300, blank=True, default="")
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["debtor", "-at"], name="audit_debtor_time"),
            models.Index(fields=["organisation", "-at"], name="audit_org_time"),
        ]
