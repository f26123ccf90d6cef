"""The daily cycle's planning step: load the portfolio's facts, call the pure planner per debtor,
write its decisions (cases opened and closed, promises kept or broken, actions planned) in one
transaction. Running it twice for a day changes nothing the second time."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from recouvre.arrangements.domain.plans import plans_watch
from recouvre.arrangements.enums import PromiseStatus
from recouvre.arrangements.models import Promise
from recouvre.common.bulk import db_datetime, db_json, insert_rows, model_columns, model_rows
from recouvre.dunning.domain.facts import group_key, open_items, portfolio_facts, withheld_invoice_ids
from recouvre.dunning.domain.notices import notices_plan
from recouvre.dunning.domain.planner import DebtorPlan, PlannedAction, plan_debtor
from recouvre.dunning.domain.rules import caps_of, organisation_calendar
from recouvre.dunning.domain.scenario import MESSAGE_CHANNELS, TASK_CHANNELS
from recouvre.dunning.enums import ActionStatus, CaseStatus
from recouvre.dunning.models import Action, Case, CycleRun
from recouvre.timeline.domain.services import events_insert
from recouvre.timeline.enums import EventKind


@dataclass
class PlanFigures:
    date: date
    cases_opened: int = 0
    cases_closed: int = 0
    planned: int = 0
    awaiting_approval: int = 0
    tasks: int = 0
    cancelled: int = 0
    promises_kept: int = 0
    promises_broken: int = 0
    paused: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in self.__dict__.items()}


def _status_of(action: PlannedAction) -> str:
    if action.cancel_reason:
        return ActionStatus.CANCELLED
    if action.needs_approval:
        return ActionStatus.AWAITING_APPROVAL
    return ActionStatus.PLANNED


def cycle_plan(*, organisation: Any, today: date, now: datetime | None = None) -> PlanFigures:
    """Plans day `today` for the organisation (call inside its scope)."""
    now = now or timezone.now()
    figures = PlanFigures(today)
    # Payment plans first: one broken today gives its case back to the ladder in this very run, one
    # completed lets the case close. (Idempotent: a second run of the day changes nothing.)
    plans_watch(organisation=organisation, today=today)
    notices_plan(organisation=organisation, today=today)
    with transaction.atomic():
        run, _ = CycleRun.objects.get_or_create(organisation=organisation, day=today)
        # Serialises planners of the same organisation and day (several workers, a manual cycle).
        CycleRun.objects.select_for_update().filter(pk=run.pk).first()
        facts = portfolio_facts(organisation=organisation, today=today)
        org_calendar = organisation_calendar(organisation)
        caps = caps_of(organisation)
        plans: list[DebtorPlan] = []
        for state in facts.states:
            row = facts.debtors[state.debtor_id]
            key = group_key(state.debtor_id, row.siren)
            if facts.message_days.get(key, []) != list(state.message_days):
                # Another account of the same SIREN got a message planned earlier in this loop.
                state = _with_message_days(state, facts.message_days.get(key, []))
            plan = plan_debtor(state, today, org_calendar, caps)
            if plan.paused:
                figures.paused[plan.paused] = figures.paused.get(plan.paused, 0) + 1
            if not plan.changes_anything:
                continue
            plans.append(plan)
            for action in plan.actions:
                if action.channel in MESSAGE_CHANNELS and not action.cancel_reason:
                    facts.message_days.setdefault(key, []).append(today)
        _write(organisation, today, now, plans, facts.case_ids, figures)
        run.planned_at = now
        run.figures = figures.as_dict()
        run.save(update_fields=["planned_at", "figures"])
    return figures


def _with_message_days(state: Any, days: list[date]) -> Any:
    return replace(state, message_days=tuple(days))


def _write(
    organisation: Any,
    today: date,
    now: datetime,
    plans: list[DebtorPlan],
    case_ids: dict[int, int],
    figures: PlanFigures,
) -> None:
    events: list[tuple[Any, ...]] = []
    at = db_datetime(now)

    def event(debtor_id: int, kind: str, summary: str, data: dict[str, Any]) -> None:
        events.append((organisation.id, debtor_id, None, kind, at, None, summary, db_json(data)))

    closing = {p.debtor_id: p.close_case for p in plans if p.close_case}
    for reason in set(closing.values()):
        ids = [case_ids[d] for d, r in closing.items() if r == reason and d in case_ids]
        for start in range(0, len(ids), 2000):
            Case.objects.filter(id__in=ids[start : start + 2000], status=CaseStatus.OPEN).update(
                status=CaseStatus.CLOSED, closed_on=today, close_reason=reason
            )
    for debtor_id, reason in closing.items():
        event(
            debtor_id,
            EventKind.CASE_CLOSED,
            f"Relance close ({reason})",
            {"reason": reason, "day": today.isoformat()},
        )
    figures.cases_closed = len(closing)

    outcomes = {p.debtor_id: p.promise_outcome for p in plans if p.promise_outcome}
    if outcomes:
        for promise in Promise.objects.filter(debtor_id__in=list(outcomes), status=PromiseStatus.OPEN):
            outcome = outcomes[promise.debtor_id]
            promise.status = PromiseStatus.KEPT if outcome == "kept" else PromiseStatus.BROKEN
            promise.resolved_on = today
            promise.save(update_fields=["status", "resolved_on"])
            kind = EventKind.PROMISE_KEPT if outcome == "kept" else EventKind.PROMISE_BROKEN
            label = "tenue" if outcome == "kept" else "non tenue"
            event(
                promise.debtor_id,
                kind,
                f"Promesse de paiement du {promise.promised_date:%d/%m/%Y} {label}",
                {"promise_id": promise.id, "outcome": outcome},
            )
            if outcome == "kept":
                figures.promises_kept += 1
            else:
                figures.promises_broken += 1

    opening = {p.debtor_id: p.open_case_anchor for p in plans if p.open_case_anchor}
    insert_rows(
        Case._meta.db_table,
        model_columns(Case),
        model_rows(
            Case,
            (
                {
                    "organisation_id": organisation.id,
                    "debtor_id": debtor_id,
                    "opened_on": today,
                    "anchor_due_date": anchor,
                }
                for debtor_id, anchor in opening.items()
            ),
        ),
    )
    # At most one open case per debtor (a constraint): the new ones are those opened today.
    new_cases = [
        (case_id, debtor_id)
        for case_id, debtor_id in Case.objects.filter(status=CaseStatus.OPEN, opened_on=today).values_list(
            "id", "debtor_id"
        )
        if debtor_id in opening
    ]
    for case_id, debtor_id in new_cases:
        case_ids[debtor_id] = case_id
        anchor = opening[debtor_id]
        assert anchor is not None
        event(
            debtor_id,
            EventKind.CASE_OPENED,
            f"Relance ouverte (échéance de référence {anchor:%d/%m/%Y})",
            {"case_id": case_id, "anchor_due_date": anchor.isoformat()},
        )
    figures.cases_opened = len(new_cases)

    with_actions = [p for p in plans if p.actions]
    withheld = withheld_invoice_ids(today) if with_actions else set()
    items = open_items([p.debtor_id for p in with_actions], withheld)
    rows = []
    for plan in with_actions:
        for action in plan.actions:
            listed = _listed(items.get(plan.debtor_id, []), action, today)
            status = _status_of(action)
            rows.append(
                {
                    "organisation_id": organisation.id,
                    "debtor_id": plan.debtor_id,
                    "case_id": None if action.courtesy_due_date else case_ids.get(plan.debtor_id),
                    "step": action.code,
                    "channel": action.channel,
                    "tone": action.tone,
                    "status": status,
                    "scheduled_for": action.scheduled_for,
                    "courtesy_due_date": action.courtesy_due_date,
                    "fallback_from": action.fallback_from,
                    "needs_approval": action.needs_approval,
                    "invoice_ids": [i[0] for i in listed],
                    "invoice_numbers": [i[1] for i in listed],
                    "amount_due": sum((i[3] for i in listed), Decimal("0")),
                    "status_reason": action.cancel_reason
                    or (f"{action.fallback_from} impossible" if action.fallback_from else ""),
                }
            )
            if status == ActionStatus.CANCELLED:
                figures.cancelled += 1
            elif status == ActionStatus.AWAITING_APPROVAL:
                figures.awaiting_approval += 1
            elif action.channel in TASK_CHANNELS:
                figures.tasks += 1
            else:
                figures.planned += 1
    insert_rows(Action._meta.db_table, model_columns(Action), model_rows(Action, rows))
    events_insert(events)


def _listed(items: list[Any], action: PlannedAction, today: date) -> list[Any]:
    """The invoices an action concerns: the overdue, open, undisputed ones (courtesy: those falling
    due on its date)."""
    if action.courtesy_due_date is not None:
        return [i for i in items if i[2] == action.courtesy_due_date and not i[4]]
    return [i for i in items if i[2] < today and not i[4]]
