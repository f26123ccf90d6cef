from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from recouvre.arrangements.enums import PromiseStatus
from recouvre.arrangements.models import Promise
from recouvre.audit.domain.services import audit_record
from recouvre.kernel.money import format_amount, format_money
from recouvre.law.domain.calendar import add_business_days, calendar_for
from recouvre.ledger.models import Debtor
from recouvre.timeline.domain.services import event_record
from recouvre.timeline.enums import EventKind

# dunning.md: the pause lasts through the promised date plus 2 business days.
PROMISE_GRACE_BUSINESS_DAYS = 2


class PromiseError(ValueError):
    pass


def promise_window_end(debtor: Debtor, promised_date: date) -> date:
    return add_business_days(
        promised_date, PROMISE_GRACE_BUSINESS_DAYS, calendar_for(debtor.country, debtor.postcode)
    )


def promise_add(
    *,
    organisation: Any,
    debtor: Debtor,
    amount: Decimal,
    promised_date: date,
    made_on: date,
    actor: Any,
    note: str = "",
) -> Promise:
    """Records a promise to pay; a promise still open for the debtor is replaced (cancelled)."""
    if amount <= 0:
        raise PromiseError(f"the promised amount must be greater than 0 (got {format_amount(amount)})")
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise PromiseError(f"{amount} has more than two decimals")
    if promised_date < made_on:
        raise PromiseError(f"the promised date {promised_date} is before the day it was made ({made_on})")
    with transaction.atomic():
        replaced = list(
            Promise.objects.select_for_update()
            .filter(debtor=debtor, status=PromiseStatus.OPEN)
            .values_list("id", flat=True)
        )
        if replaced:
            Promise.objects.filter(id__in=replaced).update(
                status=PromiseStatus.CANCELLED, resolved_on=made_on
            )
        promise = Promise.objects.create(
            organisation=organisation,
            debtor=debtor,
            made_on=made_on,
            promised_date=promised_date,
            window_end=promise_window_end(debtor, promised_date),
            amount=amount,
            note=note,
            created_by=actor,
        )
        event_record(
            organisation=organisation,
            debtor_id=debtor.id,
            kind=EventKind.PROMISE_MADE,
            actor=actor,
            summary=f"Promesse de payer {format_money(amount, promise.currency)} le {promised_date:%d/%m/%Y}",
            data={
                "promise_id": promise.id,
                "amount": format_amount(amount),
                "promised_date": promised_date.isoformat(),
                "made_on": made_on.isoformat(),
                "window_end": promise.window_end.isoformat(),
                "replaces": replaced,
            },
        )
        audit_record(
            organisation=organisation,
            actor=actor,
            action="create",
            object_type="promise",
            object_id=promise.pk,
            debtor_id=debtor.id,
            changes={"amount": format_amount(amount), "promised_date": promised_date.isoformat()},
        )
    return promise
