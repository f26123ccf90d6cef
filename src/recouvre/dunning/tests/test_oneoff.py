"""A one-off message from the debtor page: an action outside any case that the normal dispatcher
sends (a real local SMTP server), refused up front when it could not leave, never planned twice."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django_scopes import scope

from recouvre.arrangements.domain.services import promise_add
from recouvre.dunning.domain.dispatch import dispatch_pass
from recouvre.dunning.domain.oneoff import OneOffError, message_oneoff_plan
from recouvre.dunning.enums import ActionStatus
from recouvre.dunning.models import Action
from recouvre.dunning.tests.support import MONDAY, line, load, use_smtp
from recouvre.ledger.models import Debtor
from recouvre.timeline.models import Event

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
DUE = MONDAY - timedelta(days=20)


@pytest.fixture(autouse=True)
def data_dir(settings: object, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path  # type: ignore[attr-defined]


def debtor_of(organisation, ref):
    with scope(organisation=organisation):
        return Debtor.objects.get(ref=ref)


def plan(organisation, debtor, key, actor, day=MONDAY):
    with scope(organisation=organisation):
        return message_oneoff_plan(organisation=organisation, debtor=debtor, key=key, today=day, actor=actor)


def test_a_one_off_email_leaves_through_the_dispatcher_with_the_overdue_invoices(
    organisation, import_csv, smtp_server, manager
):
    use_smtp(organisation, smtp_server)
    load(
        import_csv,
        organisation,
        line("F-1", "C1", DUE, "120.00", email="compta@client.example"),
        line("F-2", "C1", MONDAY + timedelta(days=10), "50.00"),  # not due yet: not claimed
    )
    debtor = debtor_of(organisation, "C1")
    action, created = plan(organisation, debtor, "reminder_2:email", manager)
    assert created
    assert (action.case_id, action.step, action.channel, action.status) == (
        None,
        "reminder_2",
        "email",
        "planned",
    )
    assert (action.scheduled_for, action.invoice_numbers, action.amount_due) == (
        MONDAY,
        ["F-1"],
        Decimal("120.00"),
    )
    # A second click: the same action, nothing new.
    again, created = plan(organisation, debtor, "reminder_2:email", manager)
    assert (again.pk, created) == (action.pk, False)
    with scope(organisation=organisation):
        assert Action.objects.count() == 1
        event = Event.objects.get(kind="message_planned")
        assert (event.actor, event.data["action_id"]) == (manager, action.pk)
        figures = dispatch_pass(organisation=organisation, today=MONDAY)
    assert figures.dispatched == 1
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0].rcpt_tos == ("compta@client.example",)
    with scope(organisation=organisation):
        action.refresh_from_db()
        assert action.status == ActionStatus.DISPATCHED
        assert Event.objects.filter(kind="message_sent", data__action_id=action.pk).exists()
    # Once sent, asking again the same day still does not send it twice.
    assert plan(organisation, debtor, "reminder_2:email", manager)[1] is False


def test_a_one_off_letter_is_laid_out_as_a_pdf(organisation, import_csv, manager, tmp_path):
    load(import_csv, organisation, line("F-1", "C1", DUE, "80.00"))
    action, _created = plan(organisation, debtor_of(organisation, "C1"), "letter:letter", manager)
    with scope(organisation=organisation):
        figures = dispatch_pass(organisation=organisation, today=MONDAY)
        action.refresh_from_db()
    assert (figures.dispatched, action.status) == (1, ActionStatus.DISPATCHED)
    assert (tmp_path / action.document).read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("key", "setup", "message"),
    [
        ("reminder_1:email", "no_email", "Aucune adresse e-mail"),
        ("sms:sms", "no_email", "Aucun numéro de mobile"),
        ("reminder_1:email", "do_not_contact", "ne doit pas être contacté"),
        ("reminder_1:email", "nothing_due", "Aucune facture échue"),
        ("reminder_1:email", "promise", "Une promesse de paiement court"),
        ("formal_notice:registered_letter", "", "Message inconnu"),
    ],
)
def test_refusals_say_why_and_plan_nothing(organisation, import_csv, manager, key, setup, message):
    due = MONDAY + timedelta(days=5) if setup == "nothing_due" else DUE
    email = "" if setup == "no_email" else "a@client.example"
    load(import_csv, organisation, line("F-1", "C1", due, "80.00", email=email))
    debtor = debtor_of(organisation, "C1")
    with scope(organisation=organisation):
        if setup == "do_not_contact":
            Debtor.objects.filter(pk=debtor.pk).update(do_not_contact=True)
            debtor.refresh_from_db()
        if setup == "promise":
            promise_add(
                organisation=organisation,
                debtor=debtor,
                amount=Decimal("80.00"),
                promised_date=MONDAY + timedelta(days=3),
                made_on=MONDAY,
                actor=manager,
            )
    with pytest.raises(OneOffError, match=message):
        plan(organisation, debtor, key, manager)
    with scope(organisation=organisation):
        assert not Action.objects.exists()
