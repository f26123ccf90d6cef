from django.db import models
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    """A creditor company whose receivables are collected. An agency organisation (later) collects
    for several creditors; the flag is here so that letters can carry the R124-4 mentions."""

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    siren = models.CharField(max_length=9, blank=True, default="")
    iban = models.CharField(max_length=34, blank=True, default="")
    bic = models.CharField(max_length=11, blank=True, default="")
    email = models.EmailField(blank=True, default="")
    address = models.TextField(blank=True, default="")
    postcode = models.CharField(max_length=10, blank=True, default="")
    city = models.CharField(max_length=100, blank=True, default="")
    country = models.CharField(max_length=2, default="FR")
    is_agency = models.BooleanField(default=False)
    # Typed by tenancy.domain.settings.OrganisationSettings; JSON so that later issues (contact hours,
    # caps, interest-first allocation, transports) add keys without a migration per setting.
    settings = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
