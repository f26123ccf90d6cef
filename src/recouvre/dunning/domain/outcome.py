"""Recording what happened to a message: stored before it leaves, then its outcome. Each
attempt is a row; every message sent is copied, exactly, into the debtor's timeline."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from recouvre.dunning.domain.scenario import EMAIL, LETTER, SMS, TASK
from recouvre.dunning.enums import ActionStatus
from recouvre.dunning.models import Action, Attempt
from recouvre.ledger.enums import ContactKind
from recouvre.ledger.models import Contact, Invoice
from recouvre.messaging.transports.base import Outcome, SendResult
from recouvre.timeline.domain.services import event_record
from recouvre.timeline.enums import EventKind

# Retries of failures known not to have delivered: 1 min, 5 min, 30 min, 2 h, 6 h, then give up.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
MAX_ATTEMPTS = len(BACKOFF) + 1


def _day_of(now: datetime) -> date:
    return timezone.localtime(now).date()


def action_fallback(action: Action, channel: str, reason: str, today: date) -> Action:
    """A new action for the same step on another channel (dunning.md: email → letter; a debtor
    who cannot be reached becomes a task to find a contact)."""
    return Action.objects.create(
        organisation_id=action.organisation_id,
        debtor_id=action.debtor_id,
        case_id=action.case_id,
        step=action.step,
        channel=channel,
        tone=action.tone,
        status=ActionStatus.PLANNED,
        scheduled_for=today,
        fallback_from=action.channel,
        fallback_of=action,
        approved_by=action.approved_by,
        approved_at=action.approved_at,
        invoice_ids=action.invoice_ids,
        invoice_numbers=action.invoice_numbers,
        amount_due=action.amount_due,
        status_reason=reason,
    )


def _first_line(text: str) -> str:
    return text.splitlines()[0] if text else "—"


def _sent_event(action: Action, now: datetime, extra: dict[str, Any] | None = None) -> None:
    event_record(
        organisation=action.organisation,
        debtor_id=action.debtor_id,
        kind=EventKind.MESSAGE_SENT,
        occurred_at=now,
        summary=f"{action.get_channel_display()} envoyé ({action.step}) à {_first_line(action.recipient)}",
        data={
            "action_id": action.id,
            "step": action.step,
            "channel": action.channel,
            "recipient": action.recipient,
            "subject": action.subject,
            "body": action.body,
            "body_html": action.body_html,
            "sha256": action.content_sha256,
            "message_id": action.message_id,
            "document": action.document,
            "invoices": action.invoice_numbers,
            "amount_due": f"{action.amount_due:.2f}",
            "sent_at": now.isoformat(),
            **(extra or {}),
        },
    )


def record_stored(
    action: Action,
    invoices: list[Invoice],
    *,
    now: datetime,
    composed: Any = None,
    recipient: str = "",
    message_id: str = "",
    document: tuple[str, bytes] | None = None,
    failure: str = "",
    findings: list[dict[str, str]] | None = None,
) -> None:
    """Inside the dispatcher's transaction: what the message lists and says, before it leaves. A
    letter is done here (it leaves with the day's print batch); a failure to compose is final, and
    so is a document refused by the compliance check (`findings`: what it found)."""
    action.invoice_ids = [i.id for i in invoices]
    action.invoice_numbers = [i.number for i in invoices]
    action.amount_due = sum((i.open_amount for i in invoices), action.amount_due * 0)
    action.scheduled_for = _day_of(now)
    fields = [
        "invoice_ids",
        "invoice_numbers",
        "amount_due",
        "scheduled_for",
        "status",
        "status_reason",
        "updated_at",
    ]
    if failure:
        action.status = ActionStatus.FAILED
        action.status_reason = failure[:300]
        action.claim_token, action.claimed_at, action.retry_at = "", None, None
        action.save(update_fields=[*fields, "claim_token", "claimed_at", "retry_at"])
        _failed_event(action, now, failure, findings=findings)
        return
    action.subject = composed.subject[:300]
    action.body = composed.body_text
    action.body_html = composed.body_html
    action.recipient = recipient
    action.message_id = message_id
    action.attempts += 1
    action.status_reason = ""
    fields += ["subject", "body", "body_html", "recipient", "message_id", "attempts", "content_sha256"]
    attempt = Attempt(
        organisation_id=action.organisation_id, action=action, number=action.attempts, started_at=now
    )
    if document is not None:
        path, pdf = document
        action.document = path
        action.content_sha256 = hashlib.sha256(pdf).hexdigest()
        action.status = ActionStatus.DISPATCHED
        action.dispatched_at = now
        action.claim_token, action.claimed_at = "", None
        action.save(
            update_fields=[*fields, "document", "letter", "dispatched_at", "claim_token", "claimed_at"]
        )
        attempt.transport, attempt.finished_at, attempt.outcome = "print", now, Outcome.DELIVERED.value
        attempt.save()
        _sent_event(action, now, {"pages_sha256": action.content_sha256})
        return
    action.content_sha256 = composed.sha256
    action.status = ActionStatus.SENDING
    action.save(update_fields=fields)
    attempt.transport = action.channel
    attempt.save()


def _failed_event(
    action: Action,
    now: datetime,
    detail: str,
    outcome: str = "failed",
    findings: list[dict[str, str]] | None = None,
) -> None:
    data: dict[str, Any] = {
        "action_id": action.id,
        "step": action.step,
        "channel": action.channel,
        "outcome": outcome,
        "detail": detail,
    }
    if findings is not None:
        data["findings"] = findings
    event_record(
        organisation=action.organisation,
        debtor_id=action.debtor_id,
        kind=EventKind.COMPLIANCE_FAILED if findings is not None else EventKind.MESSAGE_FAILED,
        occurred_at=now,
        summary=f"{action.get_channel_display()} ({action.step}) non envoyé : {detail}"[:500],
        data=data,
    )


def record_outcome(action: Action, result: SendResult, *, now: datetime, expected_token: str) -> str:
    """After the transport answered (or a dispatcher was found dead): the row's new status."""
    with transaction.atomic():
        current = (
            Action.objects.select_for_update(of=("self",))
            .select_related("organisation")
            .filter(id=action.id, status=ActionStatus.SENDING, claim_token=expected_token)
            .first()
        )
        if current is None:
            return action.status  # recorded by someone else (a recovery pass): never twice
        attempt = Attempt.objects.filter(action=current, number=current.attempts).first()
        if attempt is not None:
            attempt.finished_at = now
            attempt.outcome = result.outcome.value
            attempt.detail = result.detail[:500]
            attempt.provider_ref = result.provider_ref[:200]
            attempt.save(update_fields=["finished_at", "outcome", "detail", "provider_ref"])
        current.claim_token, current.claimed_at = "", None
        fields = [
            "status",
            "status_reason",
            "claim_token",
            "claimed_at",
            "retry_at",
            "dispatched_at",
            "updated_at",
        ]
        current.retry_at = None
        if result.outcome is Outcome.DELIVERED:
            current.status, current.status_reason, current.dispatched_at = ActionStatus.DISPATCHED, "", now
            current.save(update_fields=fields)
            _sent_event(
                current, now, {"html": getattr(action, "_html", ""), "provider_ref": result.provider_ref}
            )
        elif result.outcome is Outcome.UNKNOWN:
            current.status = ActionStatus.UNKNOWN
            current.status_reason = f"outcome unknown: {result.detail}"[:300]
            current.save(update_fields=fields)
            _failed_event(current, now, result.detail, "unknown")
        elif result.outcome is Outcome.TRANSIENT and current.attempts < MAX_ATTEMPTS:
            current.status = ActionStatus.FAILED
            current.retry_at = now + BACKOFF[current.attempts - 1]
            current.status_reason = f"{result.detail} (retry {current.retry_at:%Y-%m-%d %H:%M})"[:300]
            current.save(update_fields=fields)
        else:
            current.status = ActionStatus.FAILED
            current.status_reason = result.detail[:300]
            current.save(update_fields=fields)
            _failed_event(current, now, result.detail)
            _after_final_failure(current, result, now)
        action.status, action.retry_at = current.status, current.retry_at
        return current.status


def _after_final_failure(action: Action, result: SendResult, now: datetime) -> None:
    """A bounced address is marked invalid; the step falls back to the next channel that can reach
    the debtor (another email address, else a letter, else a task to find a contact)."""
    if action.channel not in (EMAIL, SMS):
        return
    if result.bad_recipient and action.recipient:
        kind = ContactKind.EMAIL if action.channel == EMAIL else ContactKind.PHONE
        Contact.objects.filter(debtor_id=action.debtor_id, kind=kind, value=action.recipient).update(
            invalid_since=now
        )
    if action.channel == SMS or action.courtesy_due_date is not None:
        return
    debtor = action.debtor
    if (
        action.channel == EMAIL
        and Contact.objects.filter(
            debtor_id=action.debtor_id, kind=ContactKind.EMAIL, invalid_since__isnull=True
        ).exists()
    ):
        channel = EMAIL
    elif debtor.address and debtor.city:
        channel = LETTER
    else:
        channel = TASK
    action_fallback(action, channel, f"{action.channel} failed: {result.detail}"[:300], _day_of(now))
