from django.db import models
from django.utils.translation import gettext_lazy as _

from recouvre.common.models import OrganisationScopedModel
from recouvre.ledger.enums import DocumentType, InvoiceStatus, Origin


class Invoice(OrganisationScopedModel):
    """An invoice or a credit note (`document_type`): both share the organisation's numbering, which
    is the key imports update by. Amounts are positive in both; a credit note's `open_amount` is the
    credit not yet allocated to an invoice.

    `open_amount` is kept equal to `amount` minus the allocations by ledger services, in the same
    transaction as the allocation: it is what every list, filter and the dunning planner read."""

    debtor = models.ForeignKey("ledger.Debtor", on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(_("numéro"), max_length=64)
    document_type = models.CharField(
        max_length=12, choices=DocumentType.choices, default=DocumentType.INVOICE
    )
    status = models.CharField(max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN)
    issue_date = models.DateField(_("date de facture"))
    due_date = models.DateField(_("échéance"))
    delivery_date = models.DateField(null=True, blank=True)
    amount = models.DecimalField(_("montant TTC"), max_digits=14, decimal_places=2)
    amount_excl_tax = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="EUR")
    open_amount = models.DecimalField(_("reste dû"), max_digits=14, decimal_places=2)
    # The day the invoice was settled in full (by payments or credit notes); the payer profile and the
    # risk model learn from it.
    paid_date = models.DateField(null=True, blank=True)
    po_number = models.CharField(max_length=64, blank=True, default="")
    payment_terms = models.CharField(max_length=120, blank=True, default="")
    applies_to = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="credit_notes"
    )
    # A contractual late-payment rate (percent per year) overriding the organisation's; see french-law.md.
    contractual_rate = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    # The day the first formal notice listing this invoice left (set by the dispatcher): a consumer
    # owes legal interest from it (C. civ. 1231-6, 1344-1). It never touches limitation.
    formal_notice_on = models.DateField(null=True, blank=True)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.MANUAL)
    # What the creditor's books last said (the `disputed` column): an import opens a dispute only when
    # this turns true, so re-importing a file never reopens a dispute a manager has closed.
    source_disputed = models.BooleanField(default=False)
    # The last import that wrote the row: lets one import recognise an invoice number it already saw
    # in the same file without keeping every number in memory.
    last_import = models.ForeignKey(
        "imports.ImportBatch", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date", "number"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="invoice_number_unique"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="invoice_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(open_amount__gte=0) & models.Q(open_amount__lte=models.F("amount")),
                name="invoice_open_within_amount",
            ),
            models.CheckConstraint(
                condition=models.Q(due_date__gte=models.F("issue_date")), name="invoice_due_after_issue"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "due_date"], name="invoice_org_status_due"),
            models.Index(fields=["debtor", "status"], name="invoice_debtor_status"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_credit_note(self) -> bool:
        return self.document_type == DocumentType.CREDIT_NOTE
