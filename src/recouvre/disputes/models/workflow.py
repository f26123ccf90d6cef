from django.conf import settings
from django.db import models

from recouvre.common.models import OrganisationScopedModel
from recouvre.disputes.enums import DisputeSource


class DisputeNote(OrganisationScopedModel):
    """What the creditor's people write to one another about a dispute. Internal: never shown to the
    debtor, never put in a message."""

    dispute = models.ForeignKey("disputes.Dispute", on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class DisputeAttachment(OrganisationScopedModel):
    """A document given in support of a dispute (a delivery note, a photo, the debtor's letter). The
    file lives under DATA_DIR/attachments/<organisation id>/disputes/<dispute id>/<stored_name>, a
    name we make up: the name the uploader gave is only shown, never used as a path."""

    dispute = models.ForeignKey("disputes.Dispute", on_delete=models.PROTECT, related_name="attachments")
    stored_name = models.CharField(max_length=64)
    original_name = models.CharField(max_length=255)
    # What the first bytes say the file is, not what the uploading client claimed.
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    # Null: the debtor sent it (through the portal), not one of the creditor's people.
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=12, choices=DisputeSource.choices, default=DisputeSource.BACK_OFFICE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
