"""What people do to actions: approve a formal notice, cancel an action, complete a task (a call
and its outcome), note a registered letter's tracking number."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from recouvre.audit.domain.services import audit_record
from recouvre.dunning.domain.scenario import TASK_CHANNELS
from recouvre.dunning.enums import ActionStatus, CallOutcome
from recouvre.dunning.models import Action
from recouvre.ledger.enums import ContactKind
from recouvre.ledger.models import Contact
from recouvre.timeline.domain.services import event_record
from recouvre.timeline.enums import EventKind


class ActionError(ValueError):
    pass


def _locked(action_id: int) -> Action:
    action = Action.objects.select_for_update().filter(id=action_id).first()
    if action is None:
        raise ActionError(f"no action {action_id}")
    return action


def _record(
    organisation: Any,
    action: Action,
    actor: Any,
    *,
    kind: str,
    summary: str,
    data: dict[str, Any],
    audit: str,
    changes: dict[str, Any],
) -> None:
    """What a person did to an action: in the debtor's timeline and in the audit log."""
    event_record(
        organisation=organisation,
        debtor_id=action.debtor_id,
        kind=kind,
        actor=actor,
        summary=summary,
        data={"action_id": action.id, "step": action.step, **data},
    )
    audit_record(
        organisation=organisation,
        actor=actor,
        action=audit,
        object_type="action",
        object_id=action.id,
        debtor_id=action.debtor_id,
        changes=changes,
    )


def actions_approve(*, organisation: Any, action_ids: list[int], actor: Any) -> list[int]:
    """Approves actions waiting for a person; all or nothing. The next dispatch pass sends them
    with the invoices listed when they were planned, less those paid or disputed since."""
    approved = []
    with transaction.atomic():
        for action_id in action_ids:
            action = _locked(action_id)
            if action.status != ActionStatus.AWAITING_APPROVAL:
                raise ActionError(f"action {action_id} is not awaiting approval (status: {action.status})")
            action.status = ActionStatus.PLANNED
            action.approved_by = actor
            action.approved_at = timezone.now()
            action.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
            _record(
                organisation,
                action,
                actor,
                kind=EventKind.ACTION_APPROVED,
                summary=f"{action.step} approuvé ({', '.join(action.invoice_numbers)})",
                data={"invoices": action.invoice_numbers},
                audit="approve",
                changes={"status": ActionStatus.PLANNED},
            )
            approved.append(action.id)
    return approved


def action_cancel(*, organisation: Any, action_id: int, reason: str, actor: Any) -> Action:
    """A person cancels a planned or waiting action (a formal notice refused, a task dropped)."""
    if not reason.strip():
        raise ActionError("a reason is required to cancel an action")
    with transaction.atomic():
        action = _locked(action_id)
        cancellable = (
            ActionStatus.PLANNED,
            ActionStatus.AWAITING_APPROVAL,
            ActionStatus.FAILED,
            ActionStatus.UNKNOWN,
        )
        if action.status not in cancellable:
            raise ActionError(f"action {action_id} cannot be cancelled (status: {action.status})")
        action.status = ActionStatus.CANCELLED
        action.status_reason = reason.strip()[:300]
        action.retry_at = None
        action.save(update_fields=["status", "status_reason", "retry_at", "updated_at"])
        _record(
            organisation,
            action,
            actor,
            kind=EventKind.ACTION_CANCELLED,
            summary=f"{action.step} ({action.channel}) annulé : {action.status_reason}",
            data={"reason": action.status_reason},
            audit="cancel",
            changes={"reason": action.status_reason},
        )
    return action


def task_complete(
    *, organisation: Any, action_id: int, outcome: str, actor: Any, note: str = "", on: date | None = None
) -> Action:
    """Closes a call or review task with its outcome. The outcome feeds the case: a promise or a
    dispute is recorded by its own service (the caller's form asks for its details); a wrong number
    disables that number so the next call task asks to find a contact. `on` is the day the task was
    done, when it is not today (kept with the event)."""
    if outcome not in CallOutcome.values:
        raise ActionError(f"{outcome!r} is not a call outcome ({', '.join(CallOutcome.values)})")
    with transaction.atomic():
        action = _locked(action_id)
        if action.channel not in TASK_CHANNELS:
            raise ActionError(f"action {action_id} is a message, not a task")
        if action.status != ActionStatus.PLANNED:
            raise ActionError(f"task {action_id} is not open (status: {action.status})")
        action.status = ActionStatus.DONE
        action.outcome = outcome
        action.outcome_note = note
        action.completed_by = actor
        action.completed_at = timezone.now()
        action.save(
            update_fields=["status", "outcome", "outcome_note", "completed_by", "completed_at", "updated_at"]
        )
        if outcome == CallOutcome.WRONG_NUMBER:
            Contact.objects.filter(
                debtor_id=action.debtor_id, kind=ContactKind.PHONE, invalid_since__isnull=True
            ).update(invalid_since=timezone.now())
        _record(
            organisation,
            action,
            actor,
            kind=EventKind.TASK_DONE,
            summary=f"{action.step} : {CallOutcome(outcome).label}" + (f" — {note}" if note else ""),
            data={"outcome": outcome, "note": note, "day": on.isoformat() if on else None},
            audit="complete",
            changes={"status": ActionStatus.DONE, "outcome": outcome},
        )
    return action


def tracking_number_set(*, organisation: Any, action_id: int, tracking_number: str, actor: Any) -> Action:
    with transaction.atomic():
        action = _locked(action_id)
        if action.channel != "registered_letter":
            raise ActionError(f"action {action_id} is not a registered letter")
        action.tracking_number = tracking_number.strip()[:60]
        action.save(update_fields=["tracking_number", "updated_at"])
        audit_record(
            organisation=organisation,
            actor=actor,
            action="update",
            object_type="action",
            object_id=action.id,
            debtor_id=action.debtor_id,
            changes={"tracking_number": action.tracking_number},
        )
    return action
