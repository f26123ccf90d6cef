from datetime import date
from decimal import Decimal

import pytest

from recouvre.ledger.domain.queries import aged_balance, invoice_as_of, unallocated_credit
from recouvre.ledger.domain.services import LedgerError, payment_record
from recouvre.ledger.models import Debtor, Invoice
from recouvre.timeline.models import Event

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

CSV = (
    "invoice_number;debtor_ref;debtor_name;debtor_type;issue_date;due_date;amount\n"
    "F-1;411A;Alpha;B2B;2026-01-01;2026-02-01;100.00\n"
    "F-2;411A;;;2026-01-15;2026-02-15;200.00\n"
    "F-3;411A;;;2026-03-01;2026-12-31;300.00\n"
    "F-4;411B;Bravo;B2C;2026-01-01;2026-03-01;50.00\n"
)


@pytest.fixture
def ledger(organisation, import_csv, in_scope):
    assert import_csv(organisation, CSV).ok
    return organisation


def test_payment_on_an_invoice_reduces_its_open_amount(ledger, manager):
    f2 = Invoice.objects.get(number="F-2")
    result = payment_record(
        organisation=ledger,
        debtor=f2.debtor,
        invoice=f2,
        amount=Decimal("50.00"),
        on=date(2026, 3, 1),
        actor=manager,
        reference="VIR 123",
    )
    f2.refresh_from_db()
    assert f2.open_amount == Decimal("150.00")
    assert [(s.number, s.amount) for s in result.shares] == [("F-2", Decimal("50.00"))]
    event = Event.objects.get(kind="payment_recorded")
    assert (event.actor, event.data["reference"], event.data["allocations"]) == (
        manager,
        "VIR 123",
        [{"invoice": "F-2", "amount": "50.00", "part": "principal"}],
    )


def test_debtor_payment_goes_to_the_oldest_due_first_and_keeps_the_rest(ledger, manager):
    debtor = Debtor.objects.get(ref="411A")
    result = payment_record(
        organisation=ledger, debtor=debtor, amount=Decimal("650.00"), on=date(2026, 3, 1), actor=manager
    )
    assert [(s.number, s.amount) for s in result.shares] == [
        ("F-1", Decimal("100.00")),
        ("F-2", Decimal("200.00")),
        ("F-3", Decimal("300.00")),
    ]
    assert result.unallocated == Decimal("50.00")
    f1 = Invoice.objects.get(number="F-1")
    assert (f1.status, f1.paid_date, f1.open_amount) == ("paid", date(2026, 3, 1), Decimal("0.00"))
    assert Event.objects.filter(kind="invoice_settled").count() == 3
    assert unallocated_credit(date(2026, 3, 1), debtor) == Decimal("50.00")


def test_overpaying_one_invoice_leaves_the_excess_on_account(ledger, manager):
    f1 = Invoice.objects.get(number="F-1")
    result = payment_record(
        organisation=ledger,
        debtor=f1.debtor,
        invoice=f1,
        amount=Decimal("120.00"),
        on=date(2026, 3, 1),
        actor=manager,
    )
    assert result.unallocated == Decimal("20.00")


def test_paying_a_paid_invoice_is_refused(ledger, manager):
    f1 = Invoice.objects.get(number="F-1")
    payment_record(
        organisation=ledger,
        debtor=f1.debtor,
        invoice=f1,
        amount=Decimal("100.00"),
        on=date(2026, 3, 1),
        actor=manager,
    )
    f1.refresh_from_db()
    with pytest.raises(LedgerError, match="nothing left to pay"):
        payment_record(
            organisation=ledger,
            debtor=f1.debtor,
            invoice=f1,
            amount=Decimal("1.00"),
            on=date(2026, 3, 2),
            actor=manager,
        )


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-5"), Decimal("1.005")])
def test_bad_amounts_refused(ledger, manager, amount):
    with pytest.raises(LedgerError):
        payment_record(
            organisation=ledger,
            debtor=Debtor.objects.get(ref="411A"),
            amount=amount,
            on=date(2026, 3, 1),
            actor=manager,
        )


def test_aged_balance_as_of_a_past_day_counts_later_payments_as_open(ledger, manager):
    f1 = Invoice.objects.get(number="F-1")
    payment_record(
        organisation=ledger,
        debtor=f1.debtor,
        invoice=f1,
        amount=Decimal("60.00"),
        on=date(2026, 4, 10),
        actor=manager,
    )
    before = aged_balance(date(2026, 4, 1))
    # Exact figures: on 2026-04-01 F-1 (due 02-01) is 59 days late, F-2 (02-15) 45, F-4 (03-01) 31.
    assert before.buckets == {
        "not_due": Decimal("300.00"),
        "1-30": Decimal("0.00"),
        "31-60": Decimal("350.00"),
        "61-90": Decimal("0.00"),
        "91+": Decimal("0.00"),
    }
    after = aged_balance(date(2026, 4, 10))
    assert after.buckets["31-60"] + after.buckets["61-90"] == Decimal("290.00")
    assert after.total == Decimal("590.00")


def test_invoices_not_yet_issued_are_not_in_the_balance(ledger):
    assert aged_balance(date(2026, 1, 10)).total == Decimal("150.00")  # F-1 and F-4; F-2 not yet issued
    assert aged_balance(date(2025, 12, 31)).total == Decimal("0.00")


def test_invoice_as_of_and_prescription(ledger, manager):
    f4 = Invoice.objects.get(number="F-4")
    state = invoice_as_of(f4, date(2026, 11, 22))
    assert (state.open_amount, state.status, state.disputed) == (Decimal("50.00"), "open", False)
    assert state.prescription_date == date(2028, 3, 1)  # B2C: two years
    payment_record(
        organisation=ledger,
        debtor=f4.debtor,
        invoice=f4,
        amount=Decimal("10.00"),
        on=date(2026, 6, 30),
        actor=manager,
    )
    assert invoice_as_of(f4, date(2026, 11, 22)).prescription_date == date(2028, 6, 30)
    # Seen from before the part-payment, the clock had not been interrupted yet.
    assert invoice_as_of(f4, date(2026, 6, 1)).prescription_date == date(2028, 3, 1)


def test_invoices_as_of_in_a_constant_number_of_queries(ledger, manager, django_assert_max_num_queries):
    from recouvre.disputes.domain.services import dispute_open
    from recouvre.ledger.domain.queries import invoices_as_of

    f1 = Invoice.objects.get(number="F-1")
    dispute_open(organisation=ledger, invoice=f1, reason="price", on=date(2026, 3, 1), actor=manager)
    invoices = list(Invoice.objects.select_related("debtor").order_by("number"))
    with django_assert_max_num_queries(3):
        states = invoices_as_of(invoices, date(2026, 11, 22))
    assert [states[i.pk].disputed for i in invoices] == [True, False, False, False]
    assert states[f1.pk].status == "open"
    assert invoices_as_of(invoices, date(2026, 2, 28))[f1.pk].disputed is False
