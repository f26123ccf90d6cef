"""debtor_law_update: a manager records an insolvency judgment and a contractual rate."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from recouvre.audit.models import AuditEntry
from recouvre.ledger.domain.debtors import DebtorLawInvalid, debtor_law_update
from recouvre.ledger.models import Debtor
from recouvre.timeline.models import Event

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

TODAY = date(2026, 11, 22)
CSV = "invoice_number;debtor_ref;debtor_name;issue_date;due_date;amount\nF-1;411A;Alpha;2026-01-01;2026-02-01;100.00\n"


@pytest.fixture
def debtor(organisation, import_csv, in_scope):
    assert import_csv(organisation, CSV).ok
    return Debtor.objects.get(ref="411A")


def update(organisation, debtor, actor, insolvency_since=None, contractual_rate=None):
    return debtor_law_update(
        organisation=organisation,
        debtor=debtor,
        insolvency_since=insolvency_since,
        contractual_rate=contractual_rate,
        today=TODAY,
        actor=actor,
    )


def test_set_change_and_clear(organisation, debtor, manager):
    assert update(organisation, debtor, manager, date(2026, 9, 1), Decimal("15")) == {
        "insolvency_since": [None, "2026-09-01"],
        "contractual_rate": [None, "15"],
    }
    assert update(organisation, debtor, manager, date(2026, 9, 1), Decimal("15.000")) == {}
    update(organisation, debtor, manager, date(2026, 9, 2), Decimal("15"))  # a corrected date
    update(organisation, debtor, manager, None, None)
    debtor.refresh_from_db()
    assert (debtor.insolvency_since, debtor.contractual_rate) == (None, None)
    recorded = Event.objects.filter(kind="insolvency_recorded").order_by("id")
    assert [e.data["insolvency_since"] for e in recorded] == ["2026-09-01", "2026-09-02"]
    assert [e.summary for e in Event.objects.filter(kind="debtor_updated").order_by("id")] == [
        "Taux contractuel : 15.00 % l'an",
        "Procédure collective retirée",
        "Taux contractuel retiré",
    ]
    assert AuditEntry.objects.filter(object_type="debtor", action="update").count() == 3


def test_refusals(organisation, debtor, manager, make_user):
    with pytest.raises(DebtorLawInvalid) as refused:
        update(organisation, debtor, manager, date(2026, 11, 23), Decimal("100"))
    assert set(refused.value.errors) == {"insolvency_since", "contractual_rate"}
    with pytest.raises(PermissionDenied):
        update(organisation, debtor, make_user(organisation, "agent"), date(2026, 9, 1))
    debtor.refresh_from_db()
    assert debtor.insolvency_since is None
    assert not Event.objects.filter(kind="insolvency_recorded").exists()
