"""The planner's facts for a whole portfolio, loaded set-wise: a handful of grouped queries,
whatever the number of debtors (issue 3, Performance). Run inside the organisation's scope."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection

from recouvre.arrangements.enums import PlanStatus, PromiseStatus
from recouvre.arrangements.models import PaymentPlan, Promise
from recouvre.disputes.enums import DisputeStatus
from recouvre.disputes.models import Dispute
from recouvre.dunning.domain.planner import (
    COURTESY_LEAD_DAYS,
    CaseState,
    DebtorState,
    ItemsSummary,
    OpenItem,
    PromiseState,
    Reach,
    StepRecord,
    summarise,
)
from recouvre.dunning.domain.profile import payer_profile
from recouvre.dunning.domain.scenario import COURTESY, MESSAGE_CHANNELS
from recouvre.dunning.domain.scenarios import scenario_resolver
from recouvre.dunning.enums import ActionStatus, CaseStatus
from recouvre.dunning.models import Action, Case, ScenarioStep
from recouvre.law.domain.calendar import calendar_for
from recouvre.ledger.enums import ContactKind, DocumentType, InvoiceStatus
from recouvre.ledger.models import Contact, Debtor, Hold, Invoice, Payment

# Statuses that count in the contact caps: a message that went, may have gone, or is about to go.
COUNTED = (
    ActionStatus.PLANNED,
    ActionStatus.CLAIMED,
    ActionStatus.SENDING,
    ActionStatus.DISPATCHED,
    ActionStatus.UNKNOWN,
)

_OVERDUE_BY_DEBTOR = """
SELECT debtor_id, COUNT(*), MIN(due_date)
FROM ledger_invoice
WHERE organisation_id = %s AND status = 'open' AND document_type = 'invoice'
  AND open_amount > 0 AND due_date < %s
GROUP BY debtor_id
"""


@dataclass(frozen=True)
class DebtorRow:
    id: int
    debtor_type: str
    segment: str
    country: str
    postcode: str
    has_address: bool
    siren: str
    blocked: str


def overdue_by_debtor(organisation_id: int, today: date) -> dict[int, tuple[int, date]]:
    """{debtor_id: (overdue open invoices, oldest due date)}: the grouped query the bench compares
    the planning step with."""
    with connection.cursor() as cursor:
        cursor.execute(_OVERDUE_BY_DEBTOR, [organisation_id, today])
        return {row[0]: (row[1], _as_date(row[2])) for row in cursor.fetchall()}


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def withheld_invoice_ids(today: date, debtor_id: int | None = None) -> set[int]:
    """Invoices out of the reminders today: an open dispute, or a hold in force (of one debtor, or of
    the whole portfolio)."""
    disputed = Dispute.objects.filter(status=DisputeStatus.OPEN)
    held = Hold.objects.filter(starts_on__lte=today, ends_on__gte=today, released_on__isnull=True)
    if debtor_id is not None:
        disputed = disputed.filter(debtor_id=debtor_id)
        held = held.filter(invoice__debtor_id=debtor_id)
    return set(disputed.values_list("invoice_id", flat=True)) | set(held.values_list("invoice_id", flat=True))


def open_items(
    debtor_ids: list[int], withheld: set[int], *, until: date | None = None
) -> dict[int, list[Any]]:
    """{debtor_id: [(invoice id, number, due date, open amount, withheld)]} for open invoices."""
    result: dict[int, list[Any]] = defaultdict(list)
    for start in range(0, len(debtor_ids), 2000):
        query = Invoice.objects.filter(
            debtor_id__in=debtor_ids[start : start + 2000],
            status=InvoiceStatus.OPEN,
            document_type=DocumentType.INVOICE,
            open_amount__gt=0,
        )
        if until is not None:
            query = query.filter(due_date__lte=until)
        for row in query.order_by("due_date", "number").values_list(
            "id", "debtor_id", "number", "due_date", "open_amount"
        ):
            result[row[1]].append((row[0], row[2], row[3], row[4], row[0] in withheld))
    return result


def _summaries(organisation_id: int, today: date, withheld: set[int]) -> dict[int, ItemsSummary]:
    overdue = overdue_by_debtor(organisation_id, today)
    summaries = {
        debtor_id: ItemsSummary(count, count, oldest, ()) for debtor_id, (count, oldest) in overdue.items()
    }
    horizon = today + timedelta(days=COURTESY_LEAD_DAYS)
    upcoming = (
        Invoice.objects.filter(
            status=InvoiceStatus.OPEN,
            document_type=DocumentType.INVOICE,
            open_amount__gt=0,
            due_date__gt=today,
            due_date__lte=horizon,
        )
        .values_list("debtor_id", flat=True)
        .distinct()
    )
    withheld_debtors = (
        set(
            Invoice.objects.filter(id__in=list(withheld), status=InvoiceStatus.OPEN).values_list(
                "debtor_id", flat=True
            )
        )
        if withheld
        else set()
    )
    # Debtors with a withheld invoice or an upcoming due date are few: their summary is computed
    # from their items; everyone else's comes straight from the grouped query.
    detailed = sorted(withheld_debtors | set(upcoming))
    for debtor_id, items in open_items(detailed, withheld, until=horizon).items():
        summaries[debtor_id] = summarise((OpenItem(i[0], i[2], i[3], disputed=i[4]) for i in items), today)
    return summaries


def _debtors(ids: set[int]) -> dict[int, DebtorRow]:
    rows = {}
    query = Debtor.objects.order_by().values_list(
        "id",
        "debtor_type",
        "segment",
        "country",
        "postcode",
        "address",
        "city",
        "siren",
        "do_not_contact",
        "insolvency_since",
        "redacted_at",
    )
    for row in _chunked(query, ids):
        blocked = "do_not_contact" if row[8] or row[10] else ("insolvency" if row[9] else "")
        rows[row[0]] = DebtorRow(
            row[0], row[1], row[2], row[3], row[4], bool(row[5] and row[6]), row[7], blocked
        )
    return rows


def _chunked(query: Any, ids: set[int], field: str = "id") -> Iterator[Any]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), 2000):
        yield from query.filter(**{f"{field}__in": ordered[start : start + 2000]})


def _reach(ids: set[int]) -> dict[int, tuple[bool, bool, bool]]:
    reach: dict[int, list[bool]] = defaultdict(lambda: [False, False, False])
    query = (
        Contact.objects.filter(invalid_since__isnull=True)
        .order_by()
        .values_list("debtor_id", "kind", "is_mobile")
    )
    for debtor_id, kind, is_mobile in _chunked(query, ids, "debtor_id"):
        flags = reach[debtor_id]
        if kind == ContactKind.EMAIL:
            flags[0] = True
        else:
            flags[2] = True
            flags[1] = flags[1] or is_mobile
    return {k: (v[0], v[1], v[2]) for k, v in reach.items()}


_CASE_PROGRESS = """
SELECT c.id, c.debtor_id, c.anchor_due_date, {codes}, MAX(a.scheduled_for),
  MAX(CASE WHEN a.status = 'awaiting_approval' THEN 1 ELSE 0 END),
  MAX(CASE WHEN a.channel IN ('email', 'sms', 'letter', 'registered_letter')
            AND (a.status IN ('planned', 'claimed', 'sending')
                 OR (a.status = 'failed' AND a.retry_at IS NOT NULL))
           THEN 1 ELSE 0 END)
FROM dunning_case c LEFT JOIN dunning_action a ON a.case_id = c.id
WHERE c.organisation_id = %s AND c.status = 'open'
GROUP BY c.id, c.debtor_id, c.anchor_due_date
"""


def _cases(organisation_id: int) -> dict[int, tuple[int, date, list[StepRecord]]]:
    """{debtor_id: (case id, anchor, steps)} for open cases, one grouped row per case: the planner needs
    the steps done, the day of the last one and whether an approval or an unsent message holds the
    case, which one record per step code carries (the flags on the first)."""
    codes = "STRING_AGG(a.step, ',')" if connection.vendor == "postgresql" else "GROUP_CONCAT(a.step, ',')"
    with connection.cursor() as cursor:
        cursor.execute(_CASE_PROGRESS.format(codes=codes), [organisation_id])
        rows = cursor.fetchall()
    cases: dict[int, tuple[int, date, list[StepRecord]]] = {}
    for case_id, debtor_id, anchor, joined, last, awaiting, pending in rows:
        steps: list[StepRecord] = []
        if joined:
            last_day = _as_date(last)
            for index, code in enumerate(sorted(set(joined.split(",")))):
                first = index == 0
                steps.append(
                    StepRecord(code, "", last_day, bool(awaiting) and first, bool(pending) and first)
                )
        cases[debtor_id] = (case_id, _as_date(anchor), steps)
    return cases


def _debtors_with_active_plan() -> set[int]:
    """Debtors whose signed payment plan is running: its instalments replace the scenario."""
    return set(PaymentPlan.objects.filter(status=PlanStatus.ACTIVE).values_list("debtor_id", flat=True))


def _promises(today: date) -> dict[int, PromiseState]:
    promises = list(
        Promise.objects.filter(status=PromiseStatus.OPEN, made_on__lte=today).values_list(
            "id", "debtor_id", "made_on", "window_end", "amount"
        )
    )
    paid: dict[int, Decimal] = defaultdict(Decimal)
    if promises:
        windows = {p[1]: (p[2], p[3]) for p in promises}
        payments = Payment.objects.filter(date__gte=min(p[2] for p in promises)).values_list(
            "debtor_id", "date", "amount"
        )
        for debtor_id, day, amount in _chunked(payments, set(windows), "debtor_id"):
            start, end = windows[debtor_id]
            if start <= day <= end:
                paid[debtor_id] += amount
    return {p[1]: PromiseState(p[0], p[2], p[3], p[4], paid[p[1]]) for p in promises}


def _profiles(ids: set[int], today: date) -> dict[int, str]:
    settled: dict[int, list[tuple[date, date]]] = defaultdict(list)
    query = (
        Invoice.objects.filter(
            document_type=DocumentType.INVOICE,
            status=InvoiceStatus.PAID,
            paid_date__isnull=False,
            due_date__gte=today - timedelta(days=3 * 365),
        )
        .order_by()
        .values_list("debtor_id", "due_date", "paid_date")
    )
    for debtor_id, due, paid in _chunked(query, ids, "debtor_id"):
        settled[debtor_id].append((due, paid))
    return {debtor_id: payer_profile(pairs, today) for debtor_id, pairs in settled.items() if len(pairs) >= 1}


def message_days_by_group(debtors: dict[int, DebtorRow], today: date) -> dict[str, list[date]]:
    """Days with a message in the last 7 days, per contact group (a SIREN, else the account), for the
    groups of `debtors` only: their own messages and those of other accounts sharing their SIREN."""
    days: dict[str, list[date]] = defaultdict(list)
    recent = Action.objects.filter(
        channel__in=list(MESSAGE_CHANNELS),
        status__in=COUNTED,
        scheduled_for__gte=today - timedelta(days=6),
        scheduled_for__lte=today,
    ).values_list("id", "debtor_id", "debtor__siren", "scheduled_for")
    sirens = sorted({row.siren for row in debtors.values() if row.siren})
    # The other accounts of the same SIRENs by the SIREN index, then everyone's actions by debtor and
    # day (index): filtering actions on the debtor's SIREN would join the whole week's messages.
    members = set(debtors)
    for start in range(0, len(sirens), 2000):
        members.update(
            Debtor.objects.filter(siren__in=sirens[start : start + 2000])
            .order_by()
            .values_list("id", flat=True)
        )
    for _action_id, debtor_id, siren, day in _chunked(recent.order_by(), members, "debtor_id"):
        days[group_key(debtor_id, siren)].append(day)
    return days


def group_key(debtor_id: int, siren: str) -> str:
    return f"siren:{siren}" if siren else f"debtor:{debtor_id}"


@dataclass
class PortfolioFacts:
    states: list[DebtorState]
    debtors: dict[int, DebtorRow]
    case_ids: dict[int, int]  # debtor_id -> open case id
    message_days: dict[str, list[date]]


def _earliest_days() -> dict[str, int]:
    """For each ladder step code, the earliest day any scenario of the organisation gives it."""
    earliest: dict[str, int] = {}
    for code, day in ScenarioStep.objects.exclude(code=COURTESY).values_list("code", "day"):
        earliest[code] = min(day, earliest.get(code, day))
    return earliest


def _may_act(
    debtor_id: int,
    today: date,
    summary: ItemsSummary,
    case: tuple[int, date, list[StepRecord]] | None,
    earliest: dict[str, int],
) -> bool:
    """Whether anything could happen to this debtor today. Most debtors of a large portfolio wait for
    their next step's day or for a message to leave; they are not loaded further (issue 3, Performance).
    Conservative: True whenever a closer look could find something to do."""
    if case is None:
        return summary.overdue_active > 0 or bool(summary.upcoming_due_dates)
    if summary.overdue_any == 0:
        return True  # closes
    steps = case[2]
    if any(step.awaiting_approval or step.pending_message for step in steps):
        return False
    if steps and today <= max(step.scheduled_for for step in steps):
        return False
    done = {step.code for step in steps}
    remaining = [day for code, day in earliest.items() if code not in done]
    return bool(remaining) and case[1] + timedelta(days=min(remaining)) <= today


def portfolio_facts(*, organisation: Any, today: date) -> PortfolioFacts:
    withheld = withheld_invoice_ids(today)
    summaries = _summaries(organisation.id, today, withheld)
    cases = _cases(organisation.id)
    promises = _promises(today)
    with_plan = _debtors_with_active_plan()
    courtesy_done: dict[int, set[date]] = defaultdict(set)
    for debtor_id, due in Action.objects.filter(courtesy_due_date__gt=today).values_list(
        "debtor_id", "courtesy_due_date"
    ):
        courtesy_done[debtor_id].add(due)
    closed_today = set(
        Case.objects.filter(status=CaseStatus.CLOSED, closed_on=today).values_list("debtor_id", flat=True)
    )
    resolve = scenario_resolver(organisation=organisation)  # seeds the default scenario if needed
    earliest = _earliest_days()
    empty = ItemsSummary()
    ids = {
        debtor_id
        for debtor_id in set(summaries) | set(cases)
        if _may_act(debtor_id, today, summaries.get(debtor_id, empty), cases.get(debtor_id), earliest)
    } | set(promises)
    debtors = _debtors(ids)
    reach = _reach(ids)
    profiles = _profiles({d for d in ids if d in cases or summaries.get(d, empty).overdue_active}, today)
    message_days = message_days_by_group(debtors, today)
    states = []
    for debtor_id in sorted(ids):
        row = debtors[debtor_id]
        case = cases.get(debtor_id)
        email, mobile, phone = reach.get(debtor_id, (False, False, False))
        states.append(
            DebtorState(
                debtor_id=debtor_id,
                debtor_type=row.debtor_type,
                scenario=resolve(debtor_id, row.debtor_type, row.segment),
                items=summaries.get(debtor_id, empty),
                calendar=calendar_for(row.country, row.postcode),
                segment=row.segment,
                profile=profiles.get(debtor_id, "standard"),
                reach=Reach(email, mobile, phone, row.has_address),
                blocked=row.blocked,
                case=CaseState(case[0], case[1], tuple(case[2])) if case else None,
                promise=promises.get(debtor_id),
                has_active_plan=debtor_id in with_plan,
                closed_today=debtor_id in closed_today,
                courtesy_done=frozenset(courtesy_done.get(debtor_id, ())),
                message_days=tuple(message_days.get(group_key(debtor_id, row.siren), ())),
            )
        )
    return PortfolioFacts(states, debtors, {d: c[0] for d, c in cases.items()}, message_days)
