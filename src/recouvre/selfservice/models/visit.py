from django.db import models

from recouvre.common.models import OrganisationScopedModel


class PortalVisit(OrganisationScopedModel):
    """Each use of a portal link (GDPR: access to a debtor's data is logged). The address is kept
    truncated (the last IPv4 byte or the last 80 IPv6 bits zeroed): enough to tell a pattern, not to
    identify a person."""

    debtor = models.ForeignKey("ledger.Debtor", on_delete=models.PROTECT, related_name="portal_visits")
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=40)  # "view", "pay", "promise", "dispute", ...
    path = models.CharField(max_length=300, blank=True, default="")
    ip_prefix = models.CharField(max_length=45, blank=True, default="")
    user_agent = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["debtor", "-at"], name="portalvisit_debtor_at")]
