from django.conf import settings
from django.db import models

from recouvre.common.models import OrganisationScopedModel
from recouvre.dunning.enums import ActionStatus, AttemptOutcome, CallOutcome, Channel


class Action(OrganisationScopedModel):
    """A step of a case to carry out: a message (the outbox row) or a task for a person.

    Messages go planned → (awaiting_approval →) claimed → sending → dispatched, or failed (retried
    at `retry_at` when the failure was transient) or unknown (never retried automatically), or
    cancelled with a reason. What was sent is stored on the row before the transport is called."""

    debtor = models.ForeignKey("ledger.Debtor", on_delete=models.PROTECT, related_name="actions")
    case = models.ForeignKey(
        "dunning.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="actions"
    )
    step = models.CharField(max_length=40)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    tone = models.CharField(max_length=60, blank=True, default="")
    status = models.CharField(max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    scheduled_for = models.DateField()
    # The courtesy email is per upcoming due date, outside any case.
    courtesy_due_date = models.DateField(null=True, blank=True)
    # The channel the scenario asked for, when the debtor could not be reached on it.
    fallback_from = models.CharField(max_length=20, blank=True, default="")
    # The action this one replaces after a permanent failure (e.g. a bounced email becomes a letter).
    fallback_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    needs_approval = models.BooleanField(default=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # The invoices the action concerns: at planning, then (once sent) exactly those the message
    # listed. A formal notice is sent with at most the invoices its approver saw.
    invoice_ids = models.JSONField(default=list, blank=True)
    invoice_numbers = models.JSONField(default=list, blank=True)
    amount_due = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    currency = models.CharField(max_length=3, default="EUR")
    status_reason = models.CharField(max_length=300, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    retry_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True, default="")
    dispatched_at = models.DateTimeField(null=True, blank=True)
    # What left, exactly as it left (also copied into the debtor's timeline).
    recipient = models.CharField(max_length=500, blank=True, default="")
    subject = models.CharField(max_length=300, blank=True, default="")
    body = models.TextField(blank=True, default="")
    body_html = models.TextField(blank=True, default="")
    content_sha256 = models.CharField(max_length=64, blank=True, default="")
    document = models.CharField(max_length=300, blank=True, default="")  # a letter's PDF, under DATA_DIR
    # A letter's content as laid out, so that the day's print batch can check each stored PDF still
    # lays out identically before printing it.
    letter = models.JSONField(default=dict, blank=True)
    message_id = models.CharField(max_length=200, blank=True, default="")
    tracking_number = models.CharField(max_length=60, blank=True, default="")
    # Tasks (calls, reviews): who did it and how it went.
    outcome = models.CharField(max_length=20, choices=CallOutcome.choices, blank=True, default="")
    outcome_note = models.TextField(blank=True, default="")
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["scheduled_for", "id"]
        constraints = [
            # Each step at most once per case; a fallback is a second row for the same step.
            models.UniqueConstraint(
                fields=["case", "step"],
                condition=models.Q(case__isnull=False, fallback_of__isnull=True),
                name="action_step_once_per_case",
            ),
            models.UniqueConstraint(
                fields=["debtor", "courtesy_due_date"],
                condition=models.Q(courtesy_due_date__isnull=False),
                name="action_courtesy_once_per_due_date",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "scheduled_for"], name="action_org_status_day"),
            models.Index(fields=["organisation", "scheduled_for"], name="action_org_day"),
            models.Index(fields=["debtor", "scheduled_for"], name="action_debtor_day"),
            # The portfolio's "current step" filter: the done actions of one step (221 → 36 ms at
            # 175,000 actions, docs/performance.md).
            models.Index(fields=["organisation", "step", "status"], name="action_org_step_status"),
        ]

    def __str__(self) -> str:
        return f"{self.step} ({self.channel}) #{self.pk}"


class Attempt(OrganisationScopedModel):
    """One hand-over of a message to a transport: every try is kept, with what the provider said."""

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="attempt_rows")
    number = models.PositiveSmallIntegerField()
    transport = models.CharField(max_length=40)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=AttemptOutcome.choices, blank=True, default="")
    detail = models.CharField(max_length=500, blank=True, default="")
    provider_ref = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["action", "number"]
        constraints = [models.UniqueConstraint(fields=["action", "number"], name="attempt_number_unique")]
