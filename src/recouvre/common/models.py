from django.db import models
from django_scopes import ScopedManager


class OrganisationScopedModel(models.Model):
    """A business row: it belongs to one creditor organisation and its default manager refuses to
    query outside a `django_scopes.scope(organisation=...)`, so a forgotten filter fails loudly in
    development and tests instead of leaking another creditor's data."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(organisation="organisation")

    class Meta:
        abstract = True
