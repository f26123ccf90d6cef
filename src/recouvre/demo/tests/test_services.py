"""Loading the demo through the real import: counts, team, aged balance, and refusal when not empty."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django_scopes import scope, scopes_disabled

from recouvre.demo.services import PASSWORD, USERS, DemoRefused, demo_load
from recouvre.ledger.domain.ageing import BUCKETS
from recouvre.ledger.domain.queries import aged_balance
from recouvre.ledger.models import Debtor, Invoice
from recouvre.tenancy.domain.services import role_of
from recouvre.tenancy.models import Organisation, User

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

TODAY = date(2026, 11, 22)


def test_demo_loads_a_portfolio_with_its_team_and_refuses_a_second_time() -> None:
    result = demo_load(invoices=600, today=TODAY)

    assert (result.debtors, result.invoices) == (60, 600)
    assert (result.login_email, result.login_password) == ("demo@recouvre.fr", "demo-recouvre-2026")
    organisation = Organisation.objects.get(slug=result.organisation_slug)
    assert organisation.name == "Démo Industrie SAS"
    assert organisation.iban.startswith("FR76")
    roles = {email: role_of(User.objects.get(email=email), organisation) for email, _role, _name in USERS}
    assert roles == {
        "demo@recouvre.fr": "admin",
        "manager@recouvre.fr": "manager",
        "agent@recouvre.fr": "agent",
        "lecteur@recouvre.fr": "viewer",
    }
    assert all(User.objects.get(email=email).check_password(PASSWORD) for email in roles)
    with scope(organisation=organisation):
        assert Debtor.objects.count() == 60
        assert Invoice.objects.count() == 600
        balance = aged_balance(TODAY)
    assert all(balance.buckets[name] > 0 for name in BUCKETS), balance.buckets

    with pytest.raises(DemoRefused, match="empty database"):
        demo_load(invoices=100, today=TODAY)
    assert Organisation.objects.count() == 1


def test_demo_refuses_a_database_holding_another_portfolio(
    organisation: Any, import_csv: Callable[..., Any]
) -> None:
    report = import_csv(
        organisation,
        "invoice_number;debtor_ref;debtor_name;issue_date;due_date;amount\nF1;411A;Alpha SARL;2026-10-01;2026-10-31;120.00\n",
    )
    assert report.ok
    with pytest.raises(DemoRefused, match="Acme Industrie"):
        demo_load(invoices=50, today=TODAY)
    with scopes_disabled():
        assert Organisation.objects.count() == 1
        assert not User.objects.filter(email="demo@recouvre.fr").exists()


def test_a_demo_with_history_has_reminders_sent_and_formal_notices_to_approve(settings, tmp_path) -> None:
    from recouvre.dunning.enums import ActionStatus
    from recouvre.dunning.models import Action

    settings.DATA_DIR = tmp_path
    result = demo_load(invoices=600, today=TODAY, history_days=42)
    organisation = Organisation.objects.get(slug=result.organisation_slug)
    with scope(organisation=organisation):
        sent = Action.objects.filter(status=ActionStatus.DISPATCHED)
        assert sent.filter(step="reminder_1").exists()
        assert sent.filter(step="letter").exists()
        # Sent on past days, within the contact hours of each day.
        assert sent.filter(scheduled_for__lt=TODAY).count() == sent.count()
        waiting = Action.objects.filter(status=ActionStatus.AWAITING_APPROVAL, step="formal_notice")
        assert waiting.exists()
        # Agents assigned: every other account is the demo collector's.
        assert Debtor.objects.filter(agent__email="agent@recouvre.fr").count() == result.debtors // 2
