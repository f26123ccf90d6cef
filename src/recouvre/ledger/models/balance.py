"""A read model of each debtor's balances, for the portfolio (issue 4): sorting and filtering 200,000
debtors by amounts summed over a million invoices cannot be done per request. Derived data only:
`ledger.domain.balances.debtor_balances_refresh` rebuilds it from the invoices."""

from django.db import models

from recouvre.common.models import OrganisationScopedModel


class DebtorBalance(OrganisationScopedModel):
    """A debtor's open invoices as they stood at the end of `as_of` (the rules of
    `ledger.domain.queries.aged_balance`: invoices, not credit notes, issued by then, with an open amount)."""

    debtor = models.OneToOneField(
        "ledger.Debtor", on_delete=models.CASCADE, primary_key=True, related_name="balance"
    )
    as_of = models.DateField()
    open_balance = models.DecimalField(max_digits=14, decimal_places=2)
    overdue_balance = models.DecimalField(max_digits=14, decimal_places=2)
    # The due date of the oldest overdue invoice: the overdue bucket and the days late come from it.
    oldest_due = models.DateField(null=True, blank=True)
    # The payer profile of dunning.md (good, standard, late; empty: too little history), written each
    # morning by the dunning engine (`dunning.domain.profiles.payer_profiles_store`). A database default
    # so that the balances' set-based rebuild, which does not know it, inserts new debtors without one.
    payer_profile = models.CharField(max_length=10, blank=True, default="", db_default="")

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "payer_profile"], name="balance_org_profile"),
            models.Index(fields=["organisation", "overdue_balance"], name="balance_org_overdue"),
            models.Index(fields=["organisation", "open_balance"], name="balance_org_open"),
            models.Index(fields=["organisation", "oldest_due"], name="balance_org_oldest_due"),
        ]


class DebtorBalanceState(OrganisationScopedModel):
    """When the organisation's balances were last rebuilt: a new day rebuilds them all (overdue
    amounts move with the date), invoices and debtors written since `refreshed_at` rebuild theirs."""

    as_of = models.DateField()
    refreshed_at = models.DateTimeField()
    # Read with the balances, so that the portfolio's first page costs no organisation-wide sum:
    # the number of debtors, and the aged balance (`ledger.domain.queries.aged_balance`) as strings.
    debtors = models.PositiveIntegerField(default=0)
    aged = models.JSONField(default=dict)
    # The day the payer profiles were last written (null: never).
    profiles_as_of = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation"], name="balance_state_one_per_org")]
