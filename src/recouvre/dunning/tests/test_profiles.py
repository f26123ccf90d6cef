"""Payer profiles stored for the portfolio's "risk" filter: the rule of dunning.md over each debtor's
last settled invoices, written into the read model by the morning clock or by the first reader."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from recouvre.dunning.domain.profiles import payer_profiles, payer_profiles_store
from recouvre.dunning.domain.runner import clock_tick
from recouvre.ledger.models import Debtor, DebtorBalance, DebtorBalanceState
from recouvre.testing.fixtures import TODAY

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

HEADER = "invoice_number;debtor_ref;debtor_name;issue_date;due_date;amount;open_amount;paid_date\n"


def _settled(ref: str, name: str, count: int, days_late: int) -> str:
    lines = []
    for n in range(count):
        due = date(2026, 1, 15) + timedelta(days=30 * n)
        paid = due + timedelta(days=days_late)
        lines.append(f"{ref}-{n};{ref};{name};{due - timedelta(days=30)};{due};100.00;0;{paid}\n")
    return "".join(lines)


CSV = (
    HEADER
    + _settled("411GOOD", "Ponctuel SA", 6, 2)
    + _settled("411LATE", "Tardif SARL", 6, 45)
    + _settled("411MID", "Moyen SAS", 6, 15)
    + _settled("411NEW", "Nouveau SAS", 2, 0)
    + "OPEN-1;411NEW;;2026-10-01;2026-10-31;500.00;;\n"
)


@pytest.fixture
def books(organisation, import_csv, in_scope):
    assert import_csv(organisation, CSV, today=TODAY).ok
    return {d.ref: d.pk for d in Debtor.objects.all()}


def test_profiles_follow_the_rule_of_dunning_md(books):
    profiles = payer_profiles(TODAY)
    assert profiles[books["411GOOD"]] == "good"
    assert profiles[books["411LATE"]] == "late"
    assert profiles[books["411MID"]] == "standard"
    # Two settled invoices are too little history to judge.
    assert books["411NEW"] not in profiles


def test_the_morning_clock_stores_them_in_the_read_model(organisation, books):
    morning = datetime(2026, 11, 23, 8, 30, tzinfo=ZoneInfo("Europe/Paris"))
    clock_tick(organisation=organisation, now=morning)
    stored = dict(DebtorBalance.objects.values_list("debtor__ref", "payer_profile"))
    assert stored == {"411GOOD": "good", "411LATE": "late", "411MID": "standard", "411NEW": ""}
    assert DebtorBalanceState.objects.get().profiles_as_of == date(2026, 11, 23)


def test_the_portfolio_filters_on_the_profile(client, organisation, manager, books, monkeypatch):
    monkeypatch.setattr("recouvre.backoffice.views.portfolio.paris_today", lambda: TODAY)
    client.force_login(manager)
    listed = {}
    for risk in ("good", "late", "standard", "unknown"):
        page = client.get(reverse("backoffice:debtor-list"), {"risk": risk})
        assert page.status_code == 200
        listed[risk] = {d.ref for d in page.context["page"]}
    assert listed == {"good": {"411GOOD"}, "late": {"411LATE"}, "standard": {"411MID"}, "unknown": {"411NEW"}}
    # The first read of the day wrote them (no clock ran).
    assert DebtorBalanceState.objects.get().profiles_as_of == TODAY


def test_a_profile_that_changes_is_rewritten(organisation, books, import_csv):
    payer_profiles_store(organisation=organisation, today=TODAY)
    # Ten later invoices, each paid 40 days late: the last ten now make a habitual late payer.
    more = HEADER + _settled("411GOOD", "Ponctuel SA", 10, 40).replace("411GOOD-", "411GOOD-B")
    assert import_csv(organisation, more, today=TODAY).ok
    payer_profiles_store(organisation=organisation, today=TODAY)
    assert DebtorBalance.objects.get(debtor_id=books["411GOOD"]).payer_profile == "late"
