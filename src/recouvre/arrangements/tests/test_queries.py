"""The promise-kept rate shown on the debtor page."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django_scopes import scope

from recouvre.arrangements.domain.queries import promise_kept_rate
from recouvre.arrangements.domain.services import promise_add
from recouvre.arrangements.models import Promise
from recouvre.ledger.models import Debtor

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

TODAY = date(2026, 11, 22)
CSV = (
    "invoice_number;debtor_ref;debtor_name;issue_date;due_date;amount\n"
    "Q-1;411ALPHA;Alpha SARL;2026-09-01;2026-10-01;100.00\n"
    "Q-2;411BETA;Beta SAS;2026-09-01;2026-10-01;100.00\n"
)


@pytest.fixture
def debtors(organisation, import_csv, in_scope):
    assert import_csv(organisation, CSV, today=TODAY).ok
    return Debtor.objects.get(ref="411ALPHA"), Debtor.objects.get(ref="411BETA")


def promises(organisation, debtor, statuses):
    """One promise per status, resolved as the daily cycle would (the last one may stay open)."""
    for n, status in enumerate(statuses):
        made_on = TODAY - timedelta(days=100 - 10 * n)
        promise = promise_add(
            organisation=organisation,
            debtor=debtor,
            amount=Decimal("10.00"),
            promised_date=made_on + timedelta(days=5),
            made_on=made_on,
            actor=None,
        )
        if status != "open":
            Promise.objects.filter(pk=promise.pk).update(
                status=status, resolved_on=made_on + timedelta(days=8)
            )


def test_the_rate_counts_kept_against_broken_promises_only(organisation, debtors):
    alpha, beta = debtors
    promises(organisation, alpha, ["kept", "broken", "cancelled", "kept", "kept", "open"])
    promises(organisation, beta, ["broken"])
    assert promise_kept_rate(alpha) == (3, 1, Decimal("0.75"))
    assert promise_kept_rate(beta) == (0, 1, Decimal("0.00"))


def test_without_a_resolved_promise_there_is_no_rate(organisation, debtors):
    alpha, _beta = debtors
    assert promise_kept_rate(alpha) == (0, 0, None)
    promises(organisation, alpha, ["cancelled", "open"])
    assert promise_kept_rate(alpha) == (0, 0, None)


def test_a_third_is_rounded_to_two_places(organisation, debtors):
    alpha, _beta = debtors
    promises(organisation, alpha, ["kept", "broken", "broken"])
    assert promise_kept_rate(alpha) == (1, 2, Decimal("0.33"))


def test_another_organisations_promises_are_not_counted(organisation, other_organisation, debtors):
    alpha, _beta = debtors
    promises(organisation, alpha, ["kept"])
    with scope(organisation=other_organisation):
        assert promise_kept_rate(alpha) == (0, 0, None)
