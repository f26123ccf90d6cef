"""The agents' worklist: the calls and tasks planned for today or earlier and not done, in priority
order (`priority.rank_calls`). A few grouped queries whatever the number of calls. Run inside the
organisation's scope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Exists, Min, OuterRef, Q, QuerySet, Sum

from recouvre.disputes.enums import DisputeStatus
from recouvre.disputes.models import Dispute
from recouvre.dunning.domain.priority import ZERO, CallCandidate, RankedCall, next_after, rank_calls
from recouvre.dunning.domain.scenario import TASK_CHANNELS
from recouvre.dunning.enums import ActionStatus
from recouvre.dunning.models import Action
from recouvre.ledger.enums import ContactKind, DocumentType, InvoiceStatus
from recouvre.ledger.models import Contact, Hold, Invoice

CENT = Decimal("0.01")


@dataclass(frozen=True)
class WorklistRow:
    action: Action
    ranked: RankedCall
    currency: str
    phone: str

    @property
    def debtor(self) -> Any:
        return self.action.debtor


def open_calls(today: date) -> QuerySet[Action]:
    return Action.objects.filter(
        channel__in=sorted(TASK_CHANNELS), status=ActionStatus.PLANNED, scheduled_for__lte=today
    )


def at_stake(debtor_ids: list[int], today: date) -> dict[int, tuple[Decimal, date | None, str]]:
    """{debtor_id: (overdue open amount a call may claim, oldest such due date, currency)}. Invoices
    disputed or on hold are left out, as the call script leaves them out."""
    disputed = Dispute.objects.filter(invoice=OuterRef("pk"), status=DisputeStatus.OPEN)
    held = Hold.objects.filter(
        invoice=OuterRef("pk"), starts_on__lte=today, ends_on__gte=today, released_on__isnull=True
    )
    rows = (
        Invoice.objects.filter(
            debtor_id__in=debtor_ids,
            document_type=DocumentType.INVOICE,
            status=InvoiceStatus.OPEN,
            open_amount__gt=0,
            due_date__lt=today,
        )
        .filter(~Exists(disputed), ~Exists(held))
        .order_by()
        .values("debtor_id")
        .annotate(total=Sum("open_amount"), oldest=Min("due_date"), currency=Min("currency"))
    )
    # SQLite sums decimals with more places than the column has.
    return {row["debtor_id"]: (_cents(row["total"]), row["oldest"], row["currency"]) for row in rows}


def _cents(amount: Any) -> Decimal:
    return Decimal(amount).quantize(CENT)


def first_phones(debtor_ids: list[int]) -> dict[int, str]:
    """Each debtor's first valid phone number, a mobile before a landline."""
    phones: dict[int, str] = {}
    for debtor_id, value in (
        Contact.objects.filter(debtor_id__in=debtor_ids, kind=ContactKind.PHONE, invalid_since__isnull=True)
        .order_by("debtor_id", "-is_mobile", "id")
        .values_list("debtor_id", "value")
    ):
        phones.setdefault(debtor_id, value)
    return phones


@dataclass(frozen=True)
class Worklist:
    """The open calls in order (cheap: ids, dates and amounts), and the rows of a page of them."""

    ranked: tuple[RankedCall, ...]
    currencies: dict[int, str]

    def mine_count(self) -> int:
        return sum(1 for call in self.ranked if call.mine)

    def rows(self, ranked: Sequence[RankedCall]) -> list[WorklistRow]:
        """What the page shows for these calls: their actions and debtors, and a phone number each.
        Loaded for one page only, since a model instance costs far more than the ranking."""
        ids = [call.candidate.action_id for call in ranked]
        actions = Action.objects.select_related("debtor").in_bulk(ids)
        phones = first_phones(sorted({call.candidate.debtor_id for call in ranked}))
        return [
            WorklistRow(
                action=actions[call.candidate.action_id],
                ranked=call,
                currency=self.currencies.get(call.candidate.debtor_id)
                or actions[call.candidate.action_id].currency,
                phone=phones.get(call.candidate.debtor_id, ""),
            )
            for call in ranked
            if call.candidate.action_id in actions
        ]


def worklist(today: date, agent_id: int | None = None, *, mine_only: bool = False) -> Worklist:
    """The open calls and tasks in priority order, `agent_id`'s debtors first."""
    calls = open_calls(today)
    if mine_only:
        calls = calls.filter(Q(debtor__agent_id=agent_id) if agent_id is not None else Q(pk__in=[]))
    rows = list(calls.values_list("id", "debtor_id", "scheduled_for", "debtor__agent_id"))
    stakes = at_stake(sorted({row[1] for row in rows}), today)
    candidates = []
    for action_id, debtor_id, scheduled_for, debtor_agent_id in rows:
        amount, oldest, _currency = stakes.get(debtor_id, (ZERO, None, ""))
        candidates.append(
            CallCandidate(
                action_id=action_id,
                debtor_id=debtor_id,
                scheduled_for=scheduled_for,
                amount_at_stake=amount,
                oldest_due_date=oldest,
                agent_id=debtor_agent_id,
            )
        )
    return Worklist(
        ranked=rank_calls(candidates, today, agent_id),
        currencies={debtor_id: currency for debtor_id, (_a, _o, currency) in stakes.items()},
    )


def call_after(today: date, agent_id: int | None, action_id: int) -> tuple[int | None, int, int]:
    """(the next call's action id or None, the position of `action_id` counted from 1 (0 when it is
    not open), how many calls are open) in the order the worklist shows."""
    ranked = worklist(today, agent_id).ranked
    position = next(
        (index for index, call in enumerate(ranked, 1) if call.candidate.action_id == action_id), 0
    )
    following = next_after(ranked, action_id)
    if following is not None and following.candidate.action_id == action_id:
        following = None
    return (following.candidate.action_id if following else None, position, len(ranked))
