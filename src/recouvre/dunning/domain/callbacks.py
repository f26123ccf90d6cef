"""A debtor asks to be called back (from the portal): a call task on the day and in the slot chosen,
on the collectors' worklist like any planned call, with the number to call."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction

from recouvre.dunning.enums import ActionStatus
from recouvre.dunning.models import Action
from recouvre.ledger.models import Debtor
from recouvre.timeline.domain.services import event_record
from recouvre.timeline.enums import EventKind

CALLBACK_STEP = "callback"
SLOTS = ("09-12", "12-14", "14-17", "17-19")  # within the contact hours of dunning.md
HORIZON_DAYS = 14


class CallbackError(ValueError):
    """A request the product refuses, with a message for the debtor (French; translated by the caller)."""


def callback_request(
    *, organisation: Any, debtor: Debtor, on: date, slot: str, phone: str, today: date
) -> Action:
    if slot not in SLOTS:
        raise CallbackError("unknown slot")
    if not today <= on <= today + timedelta(days=HORIZON_DAYS):
        raise CallbackError("date out of range")
    if on.weekday() >= 5:
        raise CallbackError("weekend")
    with transaction.atomic():
        # A second request replaces the first one still waiting: one callback per debtor at a time.
        Action.objects.filter(debtor=debtor, step=CALLBACK_STEP, status=ActionStatus.PLANNED).update(
            status=ActionStatus.CANCELLED, status_reason="replaced by a newer callback request"
        )
        start, end = slot.split("-")
        action = Action.objects.create(
            organisation=organisation,
            debtor=debtor,
            step=CALLBACK_STEP,
            channel="call",
            status=ActionStatus.PLANNED,
            scheduled_for=on,
            tone=f"Rappel demandé par le débiteur, entre {start} h et {end} h au {phone}"[:60],
            recipient=phone,
            # Read by the task list and the task page: what to do, and when.
            status_reason=f"callback requested between {start}:00 and {end}:00 on {phone}",
        )
        event_record(
            organisation=organisation,
            debtor_id=debtor.pk,
            kind=EventKind.NOTE,
            summary=f"Rappel demandé sur le portail : le {on:%d/%m/%Y} entre {start} h et {end} h,"
            f" au {phone}",
            data={"action_id": action.pk, "source": "portal", "slot": slot, "phone": phone},
        )
    return action
