"""The dispatcher against real servers: a local SMTP server and a local HTTP server playing the SMS
provider. What leaves, exactly once, and what happens when something goes wrong."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django_scopes import scope

from recouvre.dunning.domain.cycle import cycle_plan
from recouvre.dunning.domain.dispatch import dispatch_pass
from recouvre.dunning.domain.runner import moment_on
from recouvre.dunning.enums import ActionStatus
from recouvre.dunning.models import Attempt, PrintBatch
from recouvre.dunning.tests.support import MONDAY, actions, line, load, run_day, use_smtp
from recouvre.ledger.models import Contact, Invoice
from recouvre.timeline.models import Event

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
DUE = MONDAY - timedelta(days=3)


@pytest.fixture(autouse=True)
def data_dir(settings: object, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path  # type: ignore[attr-defined]


def test_a_reminder_leaves_once_with_a_stable_message_id_and_is_kept_as_sent(
    organisation, import_csv, smtp_server
):
    use_smtp(organisation, smtp_server)
    load(
        import_csv,
        organisation,
        line("F-1", "C1", DUE, "1200.50", email="compta@client.example"),
        line("F-2", "C1", DUE - timedelta(days=1), "99.50"),
    )
    plan, sent = run_day(organisation, MONDAY)
    assert (plan.planned, sent.dispatched) == (1, 1)
    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    assert received.rcpt_tos == ("compta@client.example",)
    [action] = actions(organisation)
    assert received.message["Message-ID"] == action.message_id
    text = received.message.get_body(("plain",)).get_content()
    assert "F-1" in text
    assert "F-2" in text
    assert "1\u00a0300,00" in text  # the total, French format (no-break space)
    assert action.status == ActionStatus.DISPATCHED
    assert action.invoice_numbers == ["F-2", "F-1"]
    assert action.amount_due == Decimal("1300.00")
    assert text.strip() == action.body.strip()
    with scope(organisation=organisation):
        event = Event.objects.get(kind="message_sent")
    assert event.data["body"] == action.body
    assert event.data["sha256"] == action.content_sha256
    assert len(action.content_sha256) == 64
    # The same day again: nothing new planned, nothing sent again.
    plan, sent = run_day(organisation, MONDAY)
    assert (plan.planned, sent.dispatched, len(smtp_server.messages)) == (0, 0, 1)


def test_an_unreachable_server_is_retried_with_backoff_and_never_sends_twice(
    organisation, import_csv, smtp_server
):
    organisation.settings = {"email_url": "smtp://127.0.0.1:9"}  # nothing listens on the discard port
    organisation.save()
    load(
        import_csv,
        organisation,
        line("F-1", "C1", DUE, email="a@client.example"),
        line("F-2", "C2", DUE, email="b@client.example"),
    )
    _plan, sent = run_day(organisation, MONDAY)
    assert (sent.dispatched, sent.retrying) == (0, 2)
    for action in actions(organisation):
        assert action.status == ActionStatus.FAILED
        assert action.retry_at is not None
        assert action.attempts == 1
    use_smtp(organisation, smtp_server)
    _plan, sent = run_day(organisation, MONDAY + timedelta(days=1))
    assert sent.dispatched == 2
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == ["a@client.example", "b@client.example"]
    with scope(organisation=organisation):
        assert Attempt.objects.count() == 4
    run_day(organisation, MONDAY + timedelta(days=1))
    assert len(smtp_server.messages) == 2


def test_a_bounce_marks_the_address_and_falls_back_to_a_letter(organisation, import_csv, smtp_server):
    use_smtp(organisation, smtp_server)
    smtp_server.refuse("gone@client.example")
    load(
        import_csv,
        organisation,
        line("F-1", "C1", DUE, email="gone@client.example"),
        line("F-9", "C9", DUE, email="ok@client.example"),
    )
    _plan, _sent = run_day(organisation, MONDAY)
    bounced, ok, letter = actions(organisation)
    assert bounced.status == ActionStatus.FAILED
    assert "550" in bounced.status_reason
    assert ok.status == ActionStatus.DISPATCHED  # the cycle went on for the others
    assert (letter.channel, letter.fallback_of_id, letter.status) == (
        "letter",
        bounced.id,
        ActionStatus.DISPATCHED,
    )
    with scope(organisation=organisation):
        assert Contact.objects.get(value="gone@client.example").invalid_since is not None
        batch = PrintBatch.objects.get(day=MONDAY)
    pdf = Path(settings.DATA_DIR) / letter.document
    assert pdf.read_bytes().startswith(b"%PDF")
    assert (Path(settings.DATA_DIR) / batch.pdf_path).exists()
    csv_text = (Path(settings.DATA_DIR) / batch.csv_path).read_text(encoding="utf-8")
    assert "Client C1" in csv_text


def test_a_template_with_an_unknown_placeholder_fails_that_message_only(
    organisation, import_csv, smtp_server
):
    from recouvre.messaging.models import MessageTemplate

    use_smtp(organisation, smtp_server)
    load(
        import_csv,
        organisation,
        line("F-1", "C1", DUE, email="a@client.example"),
        line("F-2", "C2", DUE, email="b@client.example", kind="B2C"),
    )
    with scope(organisation=organisation):
        # Saved past the editor's validation, as an old or hand-edited row could be.
        MessageTemplate.objects.create(
            organisation=organisation,
            code="reminder_1",
            variant="standard",
            language="fr",
            subject="Relance",
            body="Bonjour {{ debtor_nickname }}",
        )
    _plan, sent = run_day(organisation, MONDAY)
    b2b, b2c = actions(organisation)
    assert b2b.status == ActionStatus.FAILED
    assert "debtor_nickname" in b2b.status_reason
    assert b2c.status == ActionStatus.DISPATCHED
    assert [m.rcpt_tos[0] for m in smtp_server.messages] == ["b@client.example"]
    assert any("debtor_nickname" in p for p in sent.problems)


def test_a_payment_or_a_dispute_between_planning_and_sending_is_seen_at_sending(
    organisation, import_csv, smtp_server, manager
):
    from recouvre.disputes.domain.services import dispute_open
    from recouvre.ledger.domain.services import payment_record

    use_smtp(organisation, smtp_server)
    load(
        import_csv,
        organisation,
        line("F-1", "C1", DUE, email="a@client.example"),
        line("F-2", "C2", DUE, email="b@client.example"),
        line("F-3", "C3", DUE, email="c@client.example"),
        line("F-4", "C3", DUE, "10.00"),
    )
    now = moment_on(MONDAY, organisation)
    with scope(organisation=organisation):
        cycle_plan(organisation=organisation, today=MONDAY, now=now)
        f1 = Invoice.objects.select_related("debtor").get(number="F-1")
        payment_record(
            organisation=organisation,
            debtor=f1.debtor,
            invoice=f1,
            amount=Decimal("1000.00"),
            on=MONDAY,
            actor=manager,
        )
        f2 = Invoice.objects.get(number="F-2")
        dispute_open(organisation=organisation, invoice=f2, reason="price", on=MONDAY, actor=manager)
        f4 = Invoice.objects.select_related("debtor").get(number="F-4")
        payment_record(
            organisation=organisation,
            debtor=f4.debtor,
            invoice=f4,
            amount=Decimal("10.00"),
            on=MONDAY,
            actor=manager,
        )
        dispatch_pass(organisation=organisation, today=MONDAY, now=now)
    paid, disputed, partly = actions(organisation)
    assert (paid.status, paid.status_reason) == (ActionStatus.CANCELLED, "nothing left to pay")
    assert disputed.status == ActionStatus.PLANNED
    assert "disputed" in disputed.status_reason
    assert partly.status == ActionStatus.DISPATCHED
    assert partly.invoice_numbers == ["F-3"]
    assert [m.rcpt_tos[0] for m in smtp_server.messages] == ["c@client.example"]


def test_a_connection_lost_after_the_content_left_is_unknown_and_never_retried(
    organisation, import_csv, smtp_server
):
    use_smtp(organisation, smtp_server)
    smtp_server.drop_after_data()
    load(import_csv, organisation, line("F-1", "C1", DUE, email="a@client.example"))
    _plan, sent = run_day(organisation, MONDAY)
    [action] = actions(organisation)
    assert (action.status, sent.unknown) == (ActionStatus.UNKNOWN, 1)
    assert len(smtp_server.messages) == 1  # it did arrive: the client could not know
    smtp_server.reset()
    for offset in range(1, 4):
        run_day(organisation, MONDAY + timedelta(days=offset))
    assert smtp_server.messages == []  # no automatic resend
    assert actions(organisation, step="reminder_1")[0].status == ActionStatus.UNKNOWN


def test_sms_through_the_provider_and_without_one(organisation, import_csv, fake_brevo):
    anchor = MONDAY - timedelta(days=12)
    load(import_csv, organisation, line("F-1", "C1", anchor, phone="06 12 34 56 78"))
    with scope(organisation=organisation):
        from recouvre.dunning.models import Action, Case

        case = Case.objects.create(
            organisation=organisation,
            debtor_id=Invoice.objects.get(number="F-1").debtor_id,
            opened_on=anchor,
            anchor_due_date=anchor,
        )
        for i, step in enumerate(("reminder_1", "reminder_2")):
            Action.objects.create(
                organisation=organisation,
                debtor_id=case.debtor_id,
                case=case,
                step=step,
                channel="letter",
                status=ActionStatus.DISPATCHED,
                scheduled_for=MONDAY - timedelta(days=9 - i),
            )
    _plan, _sent = run_day(organisation, MONDAY)
    [sms] = actions(organisation, step="sms")
    assert (sms.status, sms.status_reason) == (ActionStatus.CANCELLED, "no SMS provider")
    assert fake_brevo.requests == []
    # With a provider: the next case's SMS goes through its API.
    organisation.settings = {
        "sms": {
            "provider": "brevo",
            "api_key": fake_brevo.api_key,
            "sender": "ACME",
            "base_url": fake_brevo.base_url,
        }
    }
    organisation.save()
    with scope(organisation=organisation):
        from recouvre.dunning.models import Action

        Action.objects.filter(id=sms.id).update(
            status=ActionStatus.PLANNED, status_reason="", scheduled_for=MONDAY + timedelta(days=7)
        )
    run_day(organisation, MONDAY + timedelta(days=7))
    [request] = fake_brevo.requests
    assert request.json["recipient"] == "33612345678"
    assert "http" in request.json["content"]  # the portal link
    assert actions(organisation, step="sms")[0].status == ActionStatus.DISPATCHED


def test_a_held_invoice_leaves_the_reminders_until_its_hold_ends(
    organisation, import_csv, smtp_server, manager
):
    from recouvre.ledger.domain.holds import hold_place

    use_smtp(organisation, smtp_server)
    load(
        import_csv,
        organisation,
        line("F-1", "C1", DUE, email="a@client.example"),
        line("F-2", "C1", DUE, "50.00"),
    )
    with scope(organisation=organisation):
        hold_place(
            organisation=organisation,
            invoice=Invoice.objects.get(number="F-2"),
            reason="avoir en préparation",
            starts_on=MONDAY,
            ends_on=MONDAY + timedelta(days=10),
            actor=manager,
        )
    run_day(organisation, MONDAY)
    [first] = actions(organisation)
    assert first.invoice_numbers == ["F-1"]
    # Once the hold is over, the next message lists the invoice again.
    run_day(organisation, MONDAY + timedelta(days=11))
    later = actions(organisation)[-1]
    assert later.step == "reminder_2"
    assert later.invoice_numbers == ["F-1", "F-2"]
