from django.conf import settings
from django.db import models

from recouvre.common.models import OrganisationScopedModel
from recouvre.ledger.enums import AllocationPart, PaymentSource


class Payment(OrganisationScopedModel):
    """Money received from a debtor. What is not allocated to invoices stays on account (a credit
    the debtor has), computed as amount minus allocations."""

    debtor = models.ForeignKey("ledger.Debtor", on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    date = models.DateField()
    # True when the real day is unknown (an import saw the open amount drop without a paid_date and
    # dated it the import day): such a payment never interrupts limitation, which would overstate
    # the time the creditor has left.
    date_estimated = models.BooleanField(default=False)
    reference = models.CharField(max_length=140, blank=True, default="")
    source = models.CharField(max_length=10, choices=PaymentSource.choices, default=PaymentSource.MANUAL)
    import_batch = models.ForeignKey(
        "imports.ImportBatch", on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["organisation", "-date"], name="payment_org_date")]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive")
        ]


class Allocation(OrganisationScopedModel):
    """Lettrage: part of a payment or of a credit note settling part of an invoice. Every allocation
    is kept; a correction is a new allocation, so the history explains every open amount."""

    invoice = models.ForeignKey("ledger.Invoice", on_delete=models.PROTECT, related_name="allocations")
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="allocations"
    )
    credit_note = models.ForeignKey(
        "ledger.Invoice", on_delete=models.PROTECT, null=True, blank=True, related_name="credit_allocations"
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    date = models.DateField()
    # Only principal shares reduce the invoice's open amount; an interest share settles late-payment
    # interest the invoice bore (interest-first imputation, C. civ. 1343-1, an organisation setting).
    # db_default: the imports' bulk writers name their columns and leave this one to the database.
    part = models.CharField(
        max_length=10,
        choices=AllocationPart.choices,
        default=AllocationPart.PRINCIPAL,
        db_default=AllocationPart.PRINCIPAL,
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="allocation_amount_positive"),
            models.CheckConstraint(
                condition=(
                    models.Q(payment__isnull=False, credit_note__isnull=True)
                    | models.Q(payment__isnull=True, credit_note__isnull=False)
                ),
                name="allocation_one_source",
            ),
            # A credit note cancels principal; only money pays interest.
            models.CheckConstraint(
                condition=models.Q(part=AllocationPart.PRINCIPAL) | models.Q(payment__isnull=False),
                name="allocation_interest_paid_by_payment",
            ),
        ]
        indexes = [models.Index(fields=["invoice", "date"], name="allocation_invoice_date")]
