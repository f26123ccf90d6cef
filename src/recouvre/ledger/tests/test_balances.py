"""The portfolio's read model (`DebtorBalance`) is exact as soon as an import commits, and is rebuilt
by the worker's clock in the morning of a new day."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from recouvre.dunning.domain.runner import clock_tick
from recouvre.ledger.domain.balances import debtor_balances_current
from recouvre.ledger.models import Debtor, DebtorBalance, DebtorBalanceState
from recouvre.testing.fixtures import TODAY

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

FIRST = (
    "invoice_number;debtor_ref;debtor_name;issue_date;due_date;amount\n"
    "F-1;411A;Alpha SARL;2026-09-01;2026-10-01;100.00\n"
)
SECOND = FIRST + "F-2;411A;;2026-10-01;2026-11-01;250.00\nF-3;411B;Bravo SAS;2026-10-01;2026-12-31;40.00\n"


def test_an_import_leaves_the_read_model_exact_at_commit(organisation, import_csv, in_scope):
    assert import_csv(organisation, FIRST, today=TODAY).ok
    debtor_balances_current(organisation=organisation, today=TODAY)
    assert import_csv(organisation, SECOND, today=TODAY).ok
    # Read straight from the table, without a reader's catch-up.
    rows = {b.debtor.ref: b for b in DebtorBalance.objects.select_related("debtor")}
    assert rows["411A"].open_balance == Decimal("350.00")
    assert rows["411A"].overdue_balance == Decimal("350.00")
    assert rows["411B"].open_balance == Decimal("40.00")
    assert rows["411B"].overdue_balance == Decimal("0.00")


def test_without_a_read_model_an_import_builds_none(organisation, import_csv, in_scope):
    assert import_csv(organisation, SECOND, today=TODAY).ok
    assert not DebtorBalance.objects.exists()
    snapshot = debtor_balances_current(organisation=organisation, today=TODAY)
    assert DebtorBalance.objects.count() == Debtor.objects.count() == 2
    assert snapshot is not None


def test_the_clock_rebuilds_the_balances_when_it_plans_the_day(organisation, import_csv, in_scope):
    assert import_csv(organisation, SECOND, today=TODAY).ok
    morning = datetime(2026, 11, 23, 8, 30, tzinfo=ZoneInfo("Europe/Paris"))
    clock_tick(organisation=organisation, now=morning)
    state = DebtorBalanceState.objects.get(organisation=organisation)
    assert state.as_of.isoformat() == "2026-11-23"
    assert DebtorBalance.objects.get(debtor__ref="411A").overdue_balance == Decimal("350.00")
