"""Interruptions of limitation (french-law.md § Limitation): an acknowledgement, a signed plan, a court
claim or an enforcement measure starts a new full period; a withdrawn one stops counting; a reminder or a
formal notice never moves the date. Examples worked by hand from the spec."""

from datetime import date
from decimal import Decimal

import pytest

from recouvre.audit.models import AuditEntry
from recouvre.dunning.enums import Channel
from recouvre.ledger.domain.limitation import (
    InterruptionRefused,
    limitation_interruption_record,
    limitation_interruption_withdraw,
)
from recouvre.ledger.domain.limitation_watch import invoices_at_risk
from recouvre.ledger.domain.queries import invoice_as_of, invoices_as_of
from recouvre.ledger.domain.services import LedgerError, payment_record
from recouvre.ledger.models import Invoice, LimitationInterruption
from recouvre.timeline.domain.services import event_record
from recouvre.timeline.models import Event

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

TODAY = date(2024, 11, 22)
CSV = (
    "invoice_number;debtor_ref;debtor_name;debtor_type;issue_date;due_date;delivery_date;amount;document_type\n"
    # B2B, due 2020-03-10: five years, 2025-03-10 (within six months of TODAY).
    "B-1;411B;Bravo SA;B2B;2020-02-10;2020-03-10;;1000.00;\n"
    # B2C, due 2024-01-15: two years, 2026-01-15.
    "C-1;411C;Jean Conso;B2C;2023-12-15;2024-01-15;;90.00;\n"
    # Delivered after the due date: the period runs from the delivery, 2025-04-01.
    "D-1;411B;;;2020-01-15;2020-02-15;2020-04-01;300.00;\n"
    "AV-1;411B;;;2020-03-01;2020-03-01;;50.00;credit_note\n"
)


@pytest.fixture
def books(organisation, import_csv, in_scope):
    report = import_csv(organisation, CSV, today=TODAY)
    assert report.ok, report
    return organisation


def number(n):
    return Invoice.objects.select_related("debtor").get(number=n)


def record(
    organisation, invoice, kind="court_claim", on=date(2024, 6, 1), reference="RG 24/01234", actor=None
):
    return limitation_interruption_record(
        organisation=organisation,
        invoice=invoice,
        kind=kind,
        on=on,
        today=TODAY,
        actor=actor,
        reference=reference,
    )


def test_the_period_runs_from_the_due_date_or_a_later_delivery(books):
    b1 = invoice_as_of(number("B-1"), TODAY)
    assert b1.prescription_date == date(2025, 3, 10)
    assert (b1.limitation_start.kind, b1.limitation_start.date) == ("due_date", date(2020, 3, 10))
    d1 = invoice_as_of(number("D-1"), TODAY)
    assert d1.prescription_date == date(2025, 4, 1)
    assert d1.limitation_start.kind == "delivery_date"
    assert invoice_as_of(number("C-1"), TODAY).prescription_date == date(2026, 1, 15)  # B2C: two years


def test_a_court_claim_starts_a_new_five_year_period(books, manager):
    b1 = number("B-1")
    interruption = record(books, b1, actor=manager)
    state = invoice_as_of(b1, TODAY)
    assert state.prescription_date == date(2029, 6, 1)
    assert state.limitation_start.kind == "court_claim"
    assert state.limitation_start.reference == "RG 24/01234"
    event = Event.objects.get(kind="limitation_interrupted")
    assert (event.invoice_id, event.debtor_id, event.actor) == (b1.id, b1.debtor_id, manager)
    assert event.data["prescription_date"] == "2029-06-01"
    assert "01/06/2029" in event.summary
    audit = AuditEntry.objects.get(object_type="limitation_interruption", action="create")
    assert audit.object_id == str(interruption.pk)


def test_a_b2c_acknowledgement_starts_a_new_two_year_period(books):
    c1 = number("C-1")
    record(books, c1, kind="acknowledgement", on=date(2024, 9, 30), reference="courriel du 30/09")
    assert invoice_as_of(c1, TODAY).prescription_date == date(2026, 9, 30)


def test_a_withdrawn_interruption_no_longer_counts_and_is_kept(books, manager):
    b1 = number("B-1")
    interruption = record(books, b1)
    limitation_interruption_withdraw(
        organisation=books, interruption=interruption, reason="Mauvaise facture", actor=manager
    )
    state = invoice_as_of(b1, TODAY)
    assert state.prescription_date == date(2025, 3, 10)
    assert state.limitation_start.kind == "due_date"
    interruption.refresh_from_db()
    assert (interruption.withdrawn_by, interruption.withdrawn_reason) == (manager, "Mauvaise facture")
    assert interruption.withdrawn_at is not None
    withdrawn = Event.objects.get(kind="limitation_interruption_withdrawn")
    assert "Mauvaise facture" in withdrawn.summary
    assert AuditEntry.objects.filter(object_type="limitation_interruption", action="update").count() == 1
    # A second click changes nothing.
    limitation_interruption_withdraw(
        organisation=books, interruption=interruption, reason="encore", actor=manager
    )
    interruption.refresh_from_db()
    assert interruption.withdrawn_reason == "Mauvaise facture"
    assert Event.objects.filter(kind="limitation_interruption_withdrawn").count() == 1


def test_a_withdrawal_needs_a_reason(books):
    interruption = record(books, number("B-1"))
    with pytest.raises(InterruptionRefused) as refused:
        limitation_interruption_withdraw(
            organisation=books, interruption=interruption, reason="  ", actor=None
        )
    assert set(refused.value.errors) == {"reason"}
    interruption.refresh_from_db()
    assert interruption.withdrawn_at is None


def test_an_interruption_counts_only_from_its_date(books):
    """Recorded today for an event of 1 June: read as of 31 May it has not happened yet."""
    b1 = number("B-1")
    record(books, b1)
    assert invoice_as_of(b1, date(2024, 5, 31)).prescription_date == date(2025, 3, 10)
    assert invoice_as_of(b1, date(2024, 6, 1)).prescription_date == date(2029, 6, 1)


def test_an_interruption_after_today_is_ignored_as_of_today(books):
    """The service refuses a future date; a row dated later (as read from an earlier day by the
    command line's --date) must not count before its day either."""
    b1 = number("B-1")
    LimitationInterruption.objects.create(
        organisation=books, invoice=b1, kind="enforcement", date=date(2024, 12, 15), reference=""
    )
    assert invoice_as_of(b1, TODAY).prescription_date == date(2025, 3, 10)
    assert invoice_as_of(b1, date(2024, 12, 15)).prescription_date == date(2029, 12, 15)


def test_an_interruption_before_the_start_changes_nothing(books):
    """An acknowledgement before the delivery: the period still runs from the later delivery."""
    d1 = number("D-1")
    record(books, d1, kind="acknowledgement", on=date(2020, 3, 1), reference="")
    state = invoice_as_of(d1, TODAY)
    assert (state.prescription_date, state.limitation_start.kind) == (date(2025, 4, 1), "delivery_date")


def test_the_latest_of_part_payments_and_recorded_interruptions_wins(books, manager):
    b1 = number("B-1")
    payment_record(
        organisation=books,
        debtor=b1.debtor,
        invoice=b1,
        amount=Decimal("100.00"),
        on=date(2024, 3, 1),
        actor=manager,
        reference="VIR 42",
    )
    state = invoice_as_of(b1, TODAY)
    assert (state.prescription_date, state.limitation_start.kind) == (date(2029, 3, 1), "part_payment")
    assert state.limitation_start.reference == "VIR 42"
    record(books, b1, kind="payment_plan", on=date(2024, 2, 1), reference="Plan 7")  # earlier: no change
    assert invoice_as_of(b1, TODAY).prescription_date == date(2029, 3, 1)
    record(books, b1, kind="enforcement", on=date(2024, 10, 1), reference="Saisie")
    state = invoice_as_of(b1, TODAY)
    assert (state.prescription_date, state.limitation_start.kind) == (date(2029, 10, 1), "enforcement")


def test_a_formal_notice_never_moves_the_date(books, manager):
    """A registered formal notice sent and recorded in the timeline: the date does not move."""
    from recouvre.dunning.models import Action

    b1 = number("B-1")
    Action.objects.create(
        organisation=books,
        debtor=b1.debtor,
        step="formal_notice",
        channel=Channel.REGISTERED_LETTER,
        status="dispatched",
        scheduled_for=date(2024, 9, 1),
        invoice_ids=[b1.pk],
    )
    event_record(
        organisation=books,
        debtor_id=b1.debtor_id,
        invoice_id=b1.pk,
        kind="message_sent",
        summary="Mise en demeure envoyée",
        data={"channel": "registered_letter"},
    )
    Invoice.objects.filter(pk=b1.pk).update(formal_notice_on=date(2024, 9, 1))
    state = invoice_as_of(number("B-1"), TODAY)
    assert (state.prescription_date, state.limitation_start.kind) == (date(2025, 3, 10), "due_date")


@pytest.mark.parametrize(
    ("invoice_number", "on", "field"),
    [
        ("B-1", date(2024, 11, 23), "date"),  # tomorrow
        ("B-1", date(2020, 2, 9), "date"),  # before the invoice was issued
        ("AV-1", date(2024, 6, 1), "__all__"),  # a credit note
    ],
)
def test_refusals_name_their_field(books, invoice_number, on, field):
    with pytest.raises(LedgerError) as refused:
        record(books, number(invoice_number), on=on)
    assert field in refused.value.errors
    assert not LimitationInterruption.objects.exists()
    assert not Event.objects.filter(kind="limitation_interrupted").exists()


def test_a_cancelled_invoice_or_an_unknown_kind_is_refused(books):
    b1 = number("B-1")
    with pytest.raises(InterruptionRefused) as refused:
        record(books, b1, kind="formal_notice")
    assert set(refused.value.errors) == {"kind"}
    Invoice.objects.filter(pk=b1.pk).update(status="cancelled")
    with pytest.raises(InterruptionRefused) as refused:
        record(books, number("B-1"))
    assert "annulée" in refused.value.errors["__all__"]


def test_the_date_may_be_today_or_the_issue_date(books):
    b1 = number("B-1")
    record(books, b1, on=TODAY)
    record(books, b1, kind="acknowledgement", on=b1.issue_date)
    assert LimitationInterruption.objects.count() == 2


def test_the_same_interruption_twice_is_recorded_once(books):
    b1 = number("B-1")
    first = record(books, b1)
    assert record(books, b1) == first
    assert LimitationInterruption.objects.count() == 1
    assert Event.objects.filter(kind="limitation_interrupted").count() == 1


def test_the_watch_list_drops_an_invoice_whose_limitation_was_pushed_back(books):
    assert "B-1" in [risk.invoice.number for risk in invoices_at_risk(TODAY)[0]]
    record(books, number("B-1"))
    assert "B-1" not in [risk.invoice.number for risk in invoices_at_risk(TODAY)[0]]


def test_still_three_queries_with_interruptions(books, django_assert_max_num_queries):
    record(books, number("B-1"))
    invoices = list(Invoice.objects.select_related("debtor"))
    with django_assert_max_num_queries(3):
        states = invoices_as_of(invoices, TODAY)
    assert states[number("B-1").pk].prescription_date == date(2029, 6, 1)


def test_no_invoices_no_queries_about_them(books):
    assert invoices_as_of([], TODAY) == {}
