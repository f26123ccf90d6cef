"""The notices outside the ladder (issue 6), sent by the daily cycle through the outbox: the outcome
of a closed dispute, told once, and a reminder before each instalment of a running payment plan."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django_scopes import scope

from recouvre.arrangements.domain.plans import plan_propose, plan_sign
from recouvre.arrangements.models import PaymentPlan
from recouvre.disputes.domain.services import dispute_close, dispute_open
from recouvre.disputes.models import Dispute
from recouvre.dunning.enums import ActionStatus
from recouvre.dunning.tests.support import MONDAY, actions, line, load, run_day, use_smtp
from recouvre.ledger.models import Debtor, Invoice

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
NBSP = "\u00a0"


@pytest.fixture(autouse=True)
def data_dir(settings: object, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path  # type: ignore[attr-defined]


def _closed_dispute(organisation, import_csv, outcome, amount=None, email="compta@client.example"):
    # Not due yet: the ladder stays out of the way, the only message is the notice.
    load(import_csv, organisation, line("F-1", "C1", MONDAY + timedelta(days=40), "1200.00", email=email))
    with scope(organisation=organisation):
        invoice = Invoice.objects.get(number="F-1")
        dispute_open(
            organisation=organisation,
            invoice=invoice,
            reason="price",
            on=MONDAY - timedelta(days=5),
            actor=None,
        )
        dispute_close(
            organisation=organisation, invoice=invoice, outcome=outcome, on=MONDAY, actor=None, amount=amount
        )
        return Dispute.objects.get(invoice=invoice)


def _text(received) -> str:
    return received.message.get_body(("plain",)).get_content()


def test_an_upheld_dispute_is_told_once_by_email(organisation, import_csv, smtp_server) -> None:
    use_smtp(organisation, smtp_server)
    dispute = _closed_dispute(organisation, import_csv, "upheld")
    assert dispute.debtor_to_tell

    run_day(organisation, MONDAY)
    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    assert received.rcpt_tos == ("compta@client.example",)
    assert "F-1" in received.message["Subject"]
    text = _text(received)
    assert "votre contestation n'a pas été retenue : la facture F-1 reste due" in text
    assert f"Il reste 1{NBSP}200,00{NBSP}€ à régler sur cette facture" in text
    [notice] = actions(organisation, step="dispute_outcome")
    assert (notice.status, notice.channel, notice.case_id) == (ActionStatus.DISPATCHED, "email", None)
    assert notice.invoice_numbers == ["F-1"]
    with scope(organisation=organisation):
        dispute.refresh_from_db()
    assert not dispute.debtor_to_tell
    assert dispute.debtor_told_at is not None

    # The same day again, and the next days: nothing more.
    for day in (MONDAY, MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)):
        run_day(organisation, day)
    assert len(smtp_server.messages) == 1
    assert len(actions(organisation, step="dispute_outcome")) == 1


def test_a_credit_note_outcome_states_the_amount_credited_and_what_is_left(
    organisation, import_csv, smtp_server
) -> None:
    use_smtp(organisation, smtp_server)
    _closed_dispute(organisation, import_csv, "credit_note", amount=Decimal("200.00"))
    run_day(organisation, MONDAY)
    [received] = smtp_server.messages
    text = _text(received)
    assert f"nous avons établi un avoir de 200,00{NBSP}€ sur la facture F-1" in text
    assert f"Il reste 1{NBSP}000,00{NBSP}€ à régler" in text


def test_a_cancelled_invoice_is_told_although_nothing_is_left_to_pay(
    organisation, import_csv, smtp_server
) -> None:
    use_smtp(organisation, smtp_server)
    dispute = _closed_dispute(organisation, import_csv, "invoice_cancelled")
    run_day(organisation, MONDAY)
    [received] = smtp_server.messages
    text = _text(received)
    assert f"nous avons annulé la facture F-1 par un avoir de 1{NBSP}200,00{NBSP}€" in text
    assert "Vous ne nous devez plus rien au titre de cette facture." in text
    with scope(organisation=organisation):
        dispute.refresh_from_db()
    assert not dispute.debtor_to_tell


def test_a_debtor_without_email_is_told_by_letter(organisation, import_csv) -> None:
    dispute = _closed_dispute(organisation, import_csv, "withdrawn", email="")
    run_day(organisation, MONDAY)
    [notice] = actions(organisation, step="dispute_outcome")
    assert (notice.channel, notice.status) == ("letter", ActionStatus.DISPATCHED), notice.status_reason
    assert notice.document
    assert "retiriez votre contestation" in notice.body
    assert "tableau ci-dessous" in notice.body
    with scope(organisation=organisation):
        dispute.refresh_from_db()
    assert not dispute.debtor_to_tell
    run_day(organisation, MONDAY + timedelta(days=1))
    assert len(actions(organisation, step="dispute_outcome")) == 1


def test_a_debtor_not_to_contact_is_not_told_and_the_dispute_waits_for_a_person(
    organisation, import_csv
) -> None:
    dispute = _closed_dispute(organisation, import_csv, "upheld")
    with scope(organisation=organisation):
        Debtor.objects.filter(ref="C1").update(do_not_contact=True)
    run_day(organisation, MONDAY)
    assert actions(organisation, step="dispute_outcome") == []
    with scope(organisation=organisation):
        dispute.refresh_from_db()
    assert dispute.debtor_to_tell


def _signed_plan(organisation, first_date):
    with scope(organisation=organisation):
        debtor = Debtor.objects.get(ref="C1")
        plan = plan_propose(
            organisation=organisation,
            debtor=debtor,
            invoices=list(Invoice.objects.filter(debtor=debtor)),
            count=3,
            frequency="monthly",
            first_date=first_date,
            today=MONDAY,
            source="agent",
            actor=None,
        )
        return plan_sign(plan=plan, today=MONDAY, actor=None, signature_text="Jean Client")


def test_a_running_plan_gets_one_reminder_three_days_before_each_instalment(
    organisation, import_csv, smtp_server
) -> None:
    use_smtp(organisation, smtp_server)
    load(
        import_csv,
        organisation,
        line("F-1", "C1", MONDAY - timedelta(days=3), "900.00", email="c1@client.example"),
    )
    first = date(2026, 12, 3)  # a Thursday
    plan = _signed_plan(organisation, first)
    assert plan.status == "active"

    for day in (MONDAY, date(2026, 11, 27), date(2026, 11, 29)):
        run_day(organisation, day)
    # The plan replaces the ladder, and the first instalment is more than three days away.
    assert smtp_server.messages == []

    for day in (date(2026, 11, 30), date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2)):
        run_day(organisation, day)
    [reminder] = actions(organisation, step="plan_instalment")
    assert (reminder.status, reminder.channel, reminder.case_id) == (ActionStatus.DISPATCHED, "email", None)
    assert reminder.scheduled_for == date(2026, 11, 30)
    assert reminder.courtesy_due_date == first
    assert reminder.invoice_numbers == ["F-1"]
    [received] = smtp_server.messages
    text = _text(received)
    assert f"échéance n° 1, d'un montant de 300,00{NBSP}€, est à régler le 03/12/2026" in text
    assert f"Référence à indiquer : Échéancier n° {plan.pk}" in text
    assert "F-1" in text


def test_a_broken_plan_gets_no_reminder(organisation, import_csv, smtp_server) -> None:
    use_smtp(organisation, smtp_server)
    load(
        import_csv,
        organisation,
        line("F-1", "C1", MONDAY - timedelta(days=3), "900.00", email="c1@client.example"),
    )
    plan = _signed_plan(organisation, date(2026, 12, 1))
    # The first instalment goes unpaid past the grace days: the plan breaks.
    run_day(organisation, date(2026, 12, 8))
    with scope(organisation=organisation):
        assert PaymentPlan.objects.get(pk=plan.pk).status == "broken"
    before = len(actions(organisation, step="plan_instalment"))
    # Three days before the second instalment (1 January).
    for day in (date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31)):
        run_day(organisation, day)
    assert len(actions(organisation, step="plan_instalment")) == before == 0
