"""Months of simulated days (issue 3, "Done when"): the daily cycle runs day after day over a mixed
portfolio while payments, disputes, promises, approvals and new invoices happen along the way, and
every rule of dunning.md is checked as an invariant after every day."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django_scopes import scope

from recouvre.arrangements.enums import PromiseStatus
from recouvre.arrangements.models import Promise
from recouvre.disputes.enums import DisputeStatus
from recouvre.disputes.models import Dispute
from recouvre.dunning.domain.notices import NOTICE_STEPS
from recouvre.dunning.domain.scenario import B2B_STANDARD, MESSAGE_CHANNELS, POSTAL_CHANNELS, ladder_for
from recouvre.dunning.enums import ActionStatus
from recouvre.dunning.models import Action, Case
from recouvre.dunning.tests.support import HEADER, run_day
from recouvre.law.domain.calendar import calendar_for, is_business_day
from recouvre.ledger.models import Debtor, Invoice
from recouvre.timeline.models import Event

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db]

START = date(2026, 11, 2)
DAYS = 150  # through Christmas, 26 December, New Year, Good Friday and Easter Monday 2027
POSTCODES = ["75011", "69003", "57000", "67000", "68100", "13001", "97110"]
SIRENS = ["732829320", "552100554"]


def _portfolio(rng: random.Random) -> str:
    lines = []
    for n in range(32):
        ref = f"C{n:02d}"
        kind = "B2C" if n % 7 == 3 else "PUBLIC" if n % 11 == 5 else "B2B"
        siren = SIRENS[n % 2] if n in (4, 5, 6, 7) else ""  # accounts sharing a SIREN share the caps
        email = f"{ref.lower()}@client.example" if n % 5 != 2 else ""
        phone = f"06 12 34 56 {n:02d}" if n % 3 == 0 else (f"01 42 00 00 {n:02d}" if n % 3 == 1 else "")
        address = "" if n == 17 else f"{n} rue des Lilas"
        postcode = POSTCODES[n % len(POSTCODES)]
        for k in range(rng.randint(1, 3)):
            due = START + timedelta(days=rng.randint(-40, 70))
            amount = Decimal(rng.randint(10_00, 5_000_00)) / 100
            lines.append(
                f"F{n:02d}-{k};{ref};Client {ref};{kind};{siren};{email};{phone};{address};{postcode};Ville;"
                f"{(due - timedelta(days=30)).isoformat()};{due.isoformat()};{amount};;\n"
            )
        if n % 8 == 1:  # a good payer: ten invoices paid within 2 days
            for k in range(10):
                due = START - timedelta(days=400 - 30 * k)
                lines.append(
                    f"H{n:02d}-{k};{ref};Client {ref};{kind};{siren};{email};{phone};{address};{postcode};Ville;"
                    f"{(due - timedelta(days=30)).isoformat()};{due.isoformat()};100.00;0;"
                    f"{(due + timedelta(days=2)).isoformat()}\n"
                )
    return HEADER.replace("amount\n", "amount;open_amount;paid_date\n") + "".join(lines)


class World:
    """What happens to the portfolio each day, and the record the invariants need."""

    def __init__(self, organisation: Any, manager: Any, rng: random.Random) -> None:
        self.organisation, self.manager, self.rng = organisation, manager, rng
        self.approved: dict[int, set[int]] = {}  # formal notice -> invoice ids the manager saw

    def events(self, day: date) -> None:
        from recouvre.arrangements.domain.services import promise_add
        from recouvre.disputes.domain.services import dispute_close, dispute_open
        from recouvre.dunning.domain.actions import action_cancel, actions_approve
        from recouvre.ledger.domain.services import payment_record

        rng, org, actor = self.rng, self.organisation, self.manager
        overdue = list(
            Invoice.objects.filter(status="open", document_type="invoice", due_date__lt=day).select_related(
                "debtor"
            )
        )
        for invoice in overdue:
            roll = rng.random()
            if roll < 0.015:
                payment_record(
                    organisation=org,
                    debtor=invoice.debtor,
                    invoice=invoice,
                    amount=invoice.open_amount,
                    on=day,
                    actor=actor,
                )
            elif roll < 0.025 and invoice.open_amount > 2:
                part = (invoice.open_amount / 2).quantize(Decimal("0.01"))
                payment_record(
                    organisation=org, debtor=invoice.debtor, invoice=invoice, amount=part, on=day, actor=actor
                )
            elif (
                roll < 0.035
                and not Dispute.objects.filter(invoice=invoice, status=DisputeStatus.OPEN).exists()
            ):
                dispute_open(organisation=org, invoice=invoice, reason="quality", on=day, actor=actor)
        for dispute in Dispute.objects.filter(
            status=DisputeStatus.OPEN, opened_on__lte=day - timedelta(days=6)
        ).select_related("invoice"):
            if rng.random() < 0.2:
                outcome = rng.choice(["upheld", "withdrawn", "credit_note"])
                amount = (
                    (dispute.invoice.open_amount / 4).quantize(Decimal("0.01"))
                    if outcome == "credit_note"
                    else None
                )
                if amount is not None and amount <= 0:
                    outcome, amount = "upheld", None
                dispute_close(
                    organisation=org,
                    invoice=dispute.invoice,
                    outcome=outcome,
                    on=day,
                    actor=actor,
                    amount=amount,
                )
        for case in Case.objects.filter(status="open").select_related("debtor"):
            if rng.random() < 0.02 and not Promise.objects.filter(debtor=case.debtor, status="open").exists():
                due = sum(
                    (
                        i.open_amount
                        for i in Invoice.objects.filter(debtor=case.debtor, status="open", due_date__lt=day)
                    ),
                    Decimal(0),
                )
                if due > 0:
                    promise_add(
                        organisation=org,
                        debtor=case.debtor,
                        amount=due,
                        promised_date=day + timedelta(days=rng.randint(1, 10)),
                        made_on=day,
                        actor=actor,
                    )
        for promise in Promise.objects.filter(status=PromiseStatus.OPEN, promised_date=day).select_related(
            "debtor"
        ):
            if rng.random() < 0.5:  # kept: the debtor pays what it promised
                payment_record(
                    organisation=org, debtor=promise.debtor, amount=promise.amount, on=day, actor=actor
                )
        for notice in Action.objects.filter(
            status=ActionStatus.AWAITING_APPROVAL, scheduled_for__lte=day - timedelta(days=2)
        ):
            if rng.random() < 0.8:
                self.approved[notice.id] = set(notice.invoice_ids)
                actions_approve(organisation=org, action_ids=[notice.id], actor=actor)
            else:
                action_cancel(organisation=org, action_id=notice.id, reason="geste commercial", actor=actor)


def _check_day(day: date, world: World, organisation: Any) -> None:
    org_calendar = calendar_for(organisation.country, organisation.postcode)
    sent_today = list(
        Action.objects.filter(
            scheduled_for=day, status=ActionStatus.DISPATCHED, channel__in=sorted(MESSAGE_CHANNELS)
        ).select_related("debtor", "case")
    )
    for action in sent_today:
        debtor = action.debtor
        calendar = calendar_for(debtor.country, debtor.postcode)
        where = f"{day} action {action.id} {action.step}/{action.channel} to {debtor.ref}"
        # Contact days: never on Sundays or the debtor's public holidays; Saturdays for consumers only.
        assert is_business_day(
            day, calendar, saturdays=debtor.debtor_type == "B2C" and action.channel not in POSTAL_CHANNELS
        ), where
        if action.channel in POSTAL_CHANNELS:
            assert is_business_day(day, org_calendar), where
        assert not debtor.do_not_contact, where
        assert debtor.insolvency_since is None, where
        if action.step in NOTICE_STEPS:
            # A dispute's outcome lists the disputed invoice; an instalment reminder the plan's:
            # neither is a reminder of what is overdue (their own rules: dunning/tests/test_notices.py).
            continue
        # Checked again at sending: every invoice listed is overdue, open and undisputed, and (reminders)
        # every such invoice of the debtor is listed.
        listed = set(action.invoice_ids)
        live = {
            i.id
            for i in Invoice.objects.filter(
                debtor=debtor, status="open", document_type="invoice", open_amount__gt=0
            )
            if (
                i.due_date < day
                if action.courtesy_due_date is None
                else i.due_date == action.courtesy_due_date
            )
            and not Dispute.objects.filter(invoice=i, status=DisputeStatus.OPEN).exists()
        }
        assert listed, where
        assert listed <= live, where
        if action.step == "formal_notice":
            assert action.approved_at is not None, where
            assert listed <= world.approved.get(action.fallback_of_id or action.id, set()), where
        elif action.courtesy_due_date is None:
            assert listed == live, where
        else:
            assert Case.objects.filter(debtor=debtor, status="open").count() == 0 or action.case_id is None, (
                where
            )
            assert action.courtesy_due_date - timedelta(days=5) <= day < action.courtesy_due_date, where
        # Nothing during a promise's pause.
        assert not Promise.objects.filter(
            debtor=debtor, made_on__lte=day, window_end__gte=day, status=PromiseStatus.OPEN
        ).exists(), where
        # A step never before its day, and after the steps before it.
        if action.case_id:
            profile_days = {
                s.code: s.day for s in ladder_for(B2B_STANDARD, debtor.debtor_type, debtor.segment, "good")
            }
            earliest = min(
                profile_days.get(action.step, 0),
                {
                    s.code: s.day
                    for s in ladder_for(B2B_STANDARD, debtor.debtor_type, debtor.segment, "standard")
                }.get(action.step, 0),
            )
            assert day >= action.case.anchor_due_date + timedelta(days=earliest), where
    # Caps: per contact group (a SIREN, else the account), one message a day, two per rolling 7 days.
    window = Action.objects.filter(
        status=ActionStatus.DISPATCHED,
        channel__in=sorted(MESSAGE_CHANNELS),
        scheduled_for__gt=day - timedelta(days=7),
        scheduled_for__lte=day,
    ).values_list("debtor_id", "debtor__siren", "scheduled_for")
    groups: dict[str, list[date]] = defaultdict(list)
    for debtor_id, siren, sent_on in window:
        groups[siren or str(debtor_id)].append(sent_on)
    for group, days in groups.items():
        assert days.count(day) <= 1, f"{day}: two messages in one day to {group}"
        assert len(days) <= 2, f"{day}: {len(days)} messages in 7 days to {group}"
    # Each ladder step at most once per case, in the scenario's order.
    order = {s.code: i for i, s in enumerate(B2B_STANDARD.steps)}
    by_case: dict[int, list[tuple[date, int, str]]] = defaultdict(list)
    for case_id, step, scheduled, action_id in Action.objects.filter(
        case__isnull=False, fallback_of__isnull=True
    ).values_list("case_id", "step", "scheduled_for", "id"):
        by_case[case_id].append((scheduled, action_id, step))
    for case_id, steps in by_case.items():
        codes = [s for _d, _i, s in sorted(steps, key=lambda x: x[1])]
        assert len(codes) == len(set(codes)), f"case {case_id}: a step twice: {codes}"
        assert [order[c] for c in codes] == sorted(order[c] for c in codes), (
            f"case {case_id}: out of order: {codes}"
        )
    # A case is open exactly while its debtor has something overdue and open.
    for case in Case.objects.filter(status="open"):
        assert Invoice.objects.filter(
            debtor_id=case.debtor_id, status="open", document_type="invoice", due_date__lt=day
        ).exists(), case.id
    # Every message sent is in the timeline, once, exactly as sent.
    for action in sent_today:
        [event] = Event.objects.filter(kind="message_sent", data__action_id=action.id)
        assert event.data["sha256"] == action.content_sha256


@pytest.mark.parametrize("seed", [7, 2026])
def test_months_of_daily_cycles_keep_every_rule(organisation, manager, import_csv, settings, tmp_path, seed):
    settings.DATA_DIR = tmp_path
    rng = random.Random(seed)
    report = import_csv(organisation, _portfolio(rng), today=START)
    assert not report.errors, report.errors[:3]
    with scope(organisation=organisation):
        Debtor.objects.filter(ref="C09").update(do_not_contact=True)
        Debtor.objects.filter(ref="C10").update(insolvency_since=START)
    world = World(organisation, manager, rng)
    totals: dict[str, int] = defaultdict(int)
    for offset in range(DAYS):
        day = START + timedelta(days=offset)
        with scope(organisation=organisation):
            world.events(day)
        plan, sent = run_day(organisation, day)
        totals["dispatched"] += sent.dispatched
        totals["opened"] += plan.cases_opened
        totals["closed"] += plan.cases_closed
        totals["kept"] += plan.promises_kept
        totals["broken"] += plan.promises_broken
        if offset % 9 == 0:
            # Running the cycle twice for a day changes nothing the second time.
            with scope(organisation=organisation):
                before = sorted(Action.objects.values_list("id", "status", "scheduled_for"))
            again, sent_again = run_day(organisation, day)
            assert (
                again.planned,
                again.tasks,
                again.awaiting_approval,
                again.cases_opened,
                sent_again.dispatched,
            ) == (0, 0, 0, 0, 0)
            with scope(organisation=organisation):
                assert sorted(Action.objects.values_list("id", "status", "scheduled_for")) == before
        with scope(organisation=organisation):
            _check_day(day, world, organisation)
    with scope(organisation=organisation):
        steps = set(Action.objects.values_list("step", flat=True))
        statuses = set(Action.objects.values_list("status", flat=True))
    # The simulation really exercised the engine: every step and the promise outcomes happened.
    assert {
        "courtesy",
        "reminder_1",
        "reminder_2",
        "sms",
        "call",
        "letter",
        "formal_notice",
        "litigation_review",
    } <= steps
    assert {"dispatched", "cancelled"} <= statuses
    assert min(totals["kept"], totals["broken"], totals["closed"]) > 0, totals
    assert totals["dispatched"] > 100, totals
