"""The worklist's query: the amount at stake, the phones, the agent's own debtors, the next call."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scope

from recouvre.disputes.domain.services import dispute_open
from recouvre.dunning.domain.worklist import call_after, worklist
from recouvre.dunning.enums import ActionStatus
from recouvre.dunning.models import Action
from recouvre.dunning.tests.support import line, load
from recouvre.ledger.domain.holds import hold_place
from recouvre.ledger.models import Contact, Debtor, Invoice

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

TODAY = date(2026, 11, 23)


def rows(agent_id=None, **options):
    calls = worklist(TODAY, agent_id, **options)
    return calls.rows(calls.ranked)


@pytest.fixture
def portfolio(organisation, import_csv):
    load(
        import_csv,
        organisation,
        line("A-1", "C1", TODAY - timedelta(days=40), "1000.00", phone="0145454545"),
        line("A-2", "C1", TODAY - timedelta(days=10), "500.00"),
        line("A-3", "C1", TODAY - timedelta(days=60), "700.00"),  # disputed below
        line("A-4", "C1", TODAY + timedelta(days=5), "900.00"),  # not due
        line("B-1", "C2", TODAY - timedelta(days=20), "3000.00"),  # on hold below
        line("B-2", "C2", TODAY - timedelta(days=5), "100.00"),
        line("D-1", "C3", TODAY - timedelta(days=3), "10.00"),
        today=TODAY,
    )
    with scope(organisation=organisation):
        dispute_open(
            organisation=organisation,
            invoice=Invoice.objects.get(number="A-3"),
            reason="quality",
            on=TODAY,
            actor=None,
        )
        hold_place(
            organisation=organisation,
            invoice=Invoice.objects.get(number="B-1"),
            reason="avoir en cours",
            starts_on=TODAY - timedelta(days=1),
            ends_on=TODAY + timedelta(days=10),
            actor=None,
        )
        debtors = {d.ref: d for d in Debtor.objects.all()}
        calls = {
            ref: Action.objects.create(
                organisation=organisation,
                debtor=debtor,
                step="call",
                channel="call",
                status=ActionStatus.PLANNED,
                scheduled_for=TODAY,
            )
            for ref, debtor in debtors.items()
        }
    return organisation, debtors, calls


def test_the_amount_at_stake_leaves_out_disputed_held_and_not_due_invoices(portfolio):
    organisation, _debtors, calls = portfolio
    with scope(organisation=organisation):
        listed = rows()
    stakes = {
        row.debtor.ref: (row.ranked.candidate.amount_at_stake, row.ranked.days_overdue) for row in listed
    }
    assert stakes == {
        "C1": (Decimal("1500.00"), 40),  # A-1 + A-2; A-3 disputed, A-4 not due
        "C2": (Decimal("100.00"), 5),  # B-1 on hold
        "C3": (Decimal("10.00"), 3),
    }
    assert [row.action.pk for row in listed] == [calls["C1"].pk, calls["C2"].pk, calls["C3"].pk]
    assert listed[0].ranked.priority == Decimal("60000.00")
    assert listed[0].currency == "EUR"


def test_a_valid_mobile_comes_before_a_landline_and_an_invalid_number_is_never_shown(portfolio):
    organisation, debtors, _calls = portfolio
    with scope(organisation=organisation):
        Contact.objects.create(
            organisation=organisation,
            debtor=debtors["C1"],
            kind="phone",
            value="+33611111111",
            is_mobile=True,
        )
        Contact.objects.filter(value="+33145454545").update(is_mobile=False)
        Contact.objects.create(
            organisation=organisation,
            debtor=debtors["C2"],
            kind="phone",
            value="+33622222222",
            is_mobile=True,
            invalid_since=timezone.now(),
        )
        phones = {row.debtor.ref: row.phone for row in rows()}
    assert phones == {"C1": "+33611111111", "C2": "", "C3": ""}


def test_the_agents_own_debtors_first_or_alone(portfolio, make_user):
    organisation, _debtors, calls = portfolio
    agent = make_user(organisation, "agent")
    with scope(organisation=organisation):
        Debtor.objects.filter(ref="C3").update(agent=agent)
        assert [row.action.pk for row in rows(agent.pk)][:1] == [calls["C3"].pk]
        assert worklist(TODAY, agent.pk).mine_count() == 1
        assert [row.action.pk for row in rows(agent.pk, mine_only=True)] == [calls["C3"].pk]
        assert rows(None, mine_only=True) == []


def test_only_open_calls_and_tasks_due_by_today_are_listed(portfolio):
    organisation, debtors, calls = portfolio
    with scope(organisation=organisation):
        Action.objects.filter(pk=calls["C2"].pk).update(status=ActionStatus.DONE)
        Action.objects.filter(pk=calls["C3"].pk).update(scheduled_for=TODAY + timedelta(days=1))
        Action.objects.create(
            organisation=organisation,
            debtor=debtors["C2"],
            step="reminder_1",
            channel="email",
            status=ActionStatus.PLANNED,
            scheduled_for=TODAY,
        )
        review = Action.objects.create(
            organisation=organisation,
            debtor=debtors["C2"],
            step="litigation_review",
            channel="task",
            status=ActionStatus.PLANNED,
            scheduled_for=TODAY - timedelta(days=3),
        )
        assert [row.action.pk for row in rows()] == [calls["C1"].pk, review.pk]


def test_the_call_after_one_follows_the_order(portfolio):
    organisation, _debtors, calls = portfolio
    with scope(organisation=organisation):
        assert call_after(TODAY, None, calls["C1"].pk) == (calls["C2"].pk, 1, 3)
        assert call_after(TODAY, None, calls["C3"].pk) == (None, 3, 3)
        Action.objects.filter(pk=calls["C1"].pk).update(status=ActionStatus.DONE)
        assert call_after(TODAY, None, calls["C1"].pk) == (calls["C2"].pk, 0, 2)
