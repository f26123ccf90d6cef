"""The engine obeys a payment plan (dunning.md): while a signed plan runs, its instalments replace
the scenario, so no reminder is planned or sent; when the plan breaks, the case resumes at its step."""

from datetime import date, timedelta

import pytest
from django_scopes import scope

from recouvre.arrangements.domain.plans import plan_propose, plan_sign
from recouvre.arrangements.models import PaymentPlan
from recouvre.dunning.tests.support import actions, line, load, run_day
from recouvre.ledger.models import Debtor, Invoice

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

MONDAY = date(2026, 11, 23)


def signed_plan(organisation, first_date):
    with scope(organisation=organisation):
        debtor = Debtor.objects.get(ref="C1")
        invoices = list(Invoice.objects.filter(debtor=debtor))
        plan = plan_propose(
            organisation=organisation,
            debtor=debtor,
            invoices=invoices,
            count=3,
            frequency="monthly",
            first_date=first_date,
            today=MONDAY,
            source="agent",
            actor=None,
        )
        return plan_sign(plan=plan, today=MONDAY, actor=None, signature_text="Jean Client")


def test_no_reminder_while_a_plan_runs_and_the_ladder_resumes_when_it_breaks(
    organisation, import_csv, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    load(
        import_csv,
        organisation,
        line("F-1", "C1", MONDAY - timedelta(days=3), "900.00", email="c1@client.example"),
    )
    run_day(organisation, MONDAY)
    assert [a.step for a in actions(organisation, channel="email", case__isnull=False)] == ["reminder_1"]

    plan = signed_plan(organisation, first_date=date(2026, 12, 1))
    assert plan.status == "active"
    for day in (date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3)):
        run_day(organisation, day)
    # Reminder 2 was due on day 10 (3 December): the plan holds it back.
    assert [a.step for a in actions(organisation, channel="email", case__isnull=False)] == ["reminder_1"]

    # The first instalment (1 December, 300.00) is still unpaid after the grace days: the plan breaks
    # and the case resumes where it stopped.
    run_day(organisation, date(2026, 12, 8))
    with scope(organisation=organisation):
        assert PaymentPlan.objects.get(pk=plan.pk).status == "broken"
    assert [a.step for a in actions(organisation, channel="email", case__isnull=False)] == [
        "reminder_1",
        "reminder_2",
    ]
