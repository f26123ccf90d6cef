from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    """A secret for the REST API, owned by a user and bound to one organisation. Only a hash is
    stored: the key is shown once, when created."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100, default="")
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
