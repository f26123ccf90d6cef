from django.db import models
from django_scopes import ScopedManager


class OrganisationScopedModel(models.Model):
    """A business row: it belongs to one creditor organisation and its default manager refuses to
    query outside a `django_scopes.scope(organisation=...)`, so a forgotten filter fails loudly in
    development and tests instead of leaking another creditor's data."""

    # No index of its own: a creditor's rows are most of a table, so an index on the organisation
    # alone never narrows a query, and before PostgreSQL has statistics on rows just imported its
    # default estimate makes it look selective (a full scan per lookup, measured). Each model declares
    # composite indexes that start with the organisation where organisation-wide reads need them.
    organisation = models.ForeignKey(
        "tenancy.Organisation", on_delete=models.PROTECT, related_name="+", db_index=False
    )

    objects = ScopedManager(organisation="organisation")

    class Meta:
        abstract = True
