from django.conf import settings
from django.db import models

from recouvre.arrangements.enums import (
    PLAN_OPEN_STATUSES,
    InstalmentStatus,
    PlanFrequency,
    PlanSource,
    PlanStatus,
    SignatureMethod,
)
from recouvre.common.models import OrganisationScopedModel


class PaymentPlan(OrganisationScopedModel):
    """A debtor's agreement to pay some invoices' open amounts in instalments. Once signed it is an
    acknowledgement of debt (C. civ. 2240): the signature interrupts the invoices' limitation, and
    while it is active its instalments replace the dunning scenario (dunning.md)."""

    debtor = models.ForeignKey("ledger.Debtor", on_delete=models.PROTECT, related_name="payment_plans")
    # Through a scoped table rather than a JSON list of ids: the planner asks "which invoices does an
    # active plan cover" in SQL, an invoice cannot disappear from under a plan, and each row keeps the
    # open amount the debtor acknowledged, which the signed document lists.
    invoices = models.ManyToManyField("ledger.Invoice", through="PlanInvoice", related_name="payment_plans")
    total = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    frequency = models.CharField(max_length=10, choices=PlanFrequency.choices)
    instalment_count = models.PositiveSmallIntegerField()
    first_date = models.DateField()
    status = models.CharField(max_length=20, choices=PlanStatus.choices)
    proposed_by = models.CharField(max_length=10, choices=PlanSource.choices)
    proposed_on = models.DateField()
    # The rules the proposal broke, as found then ([{"code", "limit"}]): what a manager decides on.
    problems = models.JSONField(default=list, blank=True)
    # The organisation's grace when the plan was proposed: a later change of the setting does not
    # alter what the debtor agreed to.
    grace_days = models.PositiveSmallIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.TextField(blank=True, default="")
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_on = models.DateField(null=True, blank=True)
    signature_method = models.CharField(
        max_length=10, choices=SignatureMethod.choices, blank=True, default=""
    )
    # What the signer typed ("Lu et approuvé, Jean Dupont"); printed on the document.
    signature_text = models.CharField(max_length=200, blank=True, default="")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The signed PDF, relative to DATA_DIR (documents/<organisation>/plans/…).
    signed_document = models.CharField(max_length=300, blank=True, default="")
    # The day it broke, was completed, refused or cancelled.
    ended_on = models.DateField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-proposed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(total__gt=0), name="plan_total_positive"),
            models.CheckConstraint(condition=models.Q(instalment_count__gte=1), name="plan_count_positive"),
            # One plan in force or pending per debtor: a new proposal replaces a pending one.
            models.UniqueConstraint(
                fields=["debtor"],
                condition=models.Q(status__in=[s.value for s in PLAN_OPEN_STATUSES]),
                name="plan_one_open_per_debtor",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status"], name="plan_org_status")]

    def __str__(self) -> str:
        return f"plan {self.pk}"


class PlanInvoice(OrganisationScopedModel):
    plan = models.ForeignKey(PaymentPlan, on_delete=models.CASCADE, related_name="links")
    invoice = models.ForeignKey("ledger.Invoice", on_delete=models.PROTECT, related_name="plan_links")
    # The invoice's open amount when the plan was proposed; the plan's total is their sum.
    amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["invoice__due_date", "invoice__number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "invoice"], name="plan_invoice_unique"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="plan_invoice_amount_positive"),
        ]


class Instalment(OrganisationScopedModel):
    plan = models.ForeignKey(PaymentPlan, on_delete=models.CASCADE, related_name="instalments")
    number = models.PositiveSmallIntegerField()
    due_date = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    # Kept by the daily watch from the debtor's payments since the signature.
    paid_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    paid_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=InstalmentStatus.choices, default=InstalmentStatus.DUE)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="instalment_number_unique"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="instalment_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(paid_amount__gte=0) & models.Q(paid_amount__lte=models.F("amount")),
                name="instalment_paid_within_amount",
            ),
        ]
        # The reminders before each instalment look up the instalments due soon.
        indexes = [
            models.Index(fields=["organisation", "status", "due_date"], name="instalment_org_status_due")
        ]
