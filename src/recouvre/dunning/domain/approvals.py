"""A manager refuses letters waiting for approval, several at once, with one reason. Approving is
`actions.actions_approve`; both are all or nothing, so that a second click changes nothing."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from recouvre.dunning.domain.actions import ActionError, action_cancel
from recouvre.dunning.enums import ActionStatus
from recouvre.dunning.models import Action


def actions_refuse(*, organisation: Any, action_ids: list[int], reason: str, actor: Any) -> list[int]:
    """Cancels each action with the reason (kept on the action and in the debtor's timeline). Every
    one must still be awaiting approval: one approved or refused meanwhile refuses them all."""
    if not reason.strip():
        raise ActionError("a reason is required to refuse an action")
    refused = []
    with transaction.atomic():
        for action_id in action_ids:
            action = Action.objects.select_for_update().filter(id=action_id).first()
            if action is None or action.status != ActionStatus.AWAITING_APPROVAL:
                status = action.status if action else "missing"
                raise ActionError(f"action {action_id} is not awaiting approval (status: {status})")
            action_cancel(organisation=organisation, action_id=action_id, reason=reason, actor=actor)
            refused.append(action_id)
    return refused
