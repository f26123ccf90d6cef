"""Interest-first imputation (C. civ. 1343-1, an organisation setting, off by default), the
organisation's contractual rate and divisor, the insolvency that stops the 40 EUR.

Every expected figure is worked by hand from french-law.md (rates of the packaged table: H1-2024
ECB 4.50 → 14.50 %, H2-2024 ECB 4.25 → 14.25 %; legal interest H1-2024 5.07 → floor 15.21 %)."""

from datetime import date
from decimal import Decimal as D

import pytest

from recouvre.audit.domain.services import audit_record
from recouvre.ledger.domain.penalties import invoice_penalties, invoices_penalties
from recouvre.ledger.domain.services import credit_note_allocate, payment_record
from recouvre.ledger.enums import DocumentType
from recouvre.ledger.models import Allocation, Debtor, Invoice, Payment
from recouvre.tenancy.domain.organisation_settings import organisation_settings_update
from recouvre.timeline.models import Event

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

CSV = (
    "invoice_number;debtor_ref;debtor_name;debtor_type;issue_date;due_date;amount\n"
    "F-1;411A;Alpha;B2B;2024-02-01;2024-03-01;1000.00\n"
    "F-2;411A;;;2024-03-01;2024-04-01;2000.00\n"
    "C-1;411B;Bravo;B2C;2024-02-01;2024-03-01;1000.00\n"
)
PAID_ON = date(2024, 5, 1)
AS_OF = date(2024, 8, 1)


@pytest.fixture
def books(organisation, import_csv, in_scope):
    assert import_csv(organisation, CSV).ok
    return organisation


def law(organisation, manager, **changes):
    organisation_settings_update(
        organisation=organisation, changes=changes, actor=manager, audit=audit_record
    )


def pay(organisation, actor, amount, on=PAID_ON, invoice="F-1", debtor=None):
    target = Invoice.objects.get(number=invoice) if invoice else None
    return payment_record(
        organisation=organisation,
        debtor=debtor or target.debtor,
        invoice=target,
        amount=D(amount),
        on=on,
        actor=actor,
    )


def invoice(number):
    return Invoice.objects.select_related("debtor").get(number=number)


def parts(number):
    return list(Allocation.objects.filter(invoice__number=number).values_list("date", "part", "amount"))


def test_off_by_default_the_worked_example_gives_42_40(books, manager):
    result = pay(books, manager, "500.00")
    assert [(s.number, s.part, s.amount) for s in result.shares] == [("F-1", "principal", D("500.00"))]
    penalties = invoice_penalties(invoice("F-1"), AS_OF)
    assert (penalties.interest, penalties.interest_due, penalties.total) == (
        D("42.40"),
        D("42.40"),
        D("82.40"),
    )
    assert invoice("F-1").open_amount == D("500.00")


def test_interest_first_takes_the_interest_accrued_to_the_payment_day_first(books, manager):
    law(books, manager, interest_first=True)
    result = pay(books, manager, "500.00")
    # 61 days (2024-03-02 to 2024-05-01) at 14.50 % on 1,000.00: 8845 / 365 = 24.2329 → 24.23.
    assert [(s.part, s.amount) for s in result.shares] == [
        ("interest", D("24.23")),
        ("principal", D("475.77")),
    ]
    assert parts("F-1") == [(PAID_ON, "interest", D("24.23")), (PAID_ON, "principal", D("475.77"))]
    f1 = invoice("F-1")
    assert (f1.open_amount, f1.status, f1.paid_date) == (D("524.23"), "open", None)
    event = Event.objects.get(kind="payment_recorded")
    assert event.data["allocations"] == [
        {"invoice": "F-1", "amount": "24.23", "part": "interest"},
        {"invoice": "F-1", "amount": "475.77", "part": "principal"},
    ]
    # Later penalties run on 524.23; the payment day itself bore interest on 1,000.00.
    # 60 days at 14.50 % on 524.23 = 12.4953 → 12.50; 32 days at 14.25 % = 6.5493 → 6.55.
    penalties = invoice_penalties(f1, AS_OF)
    assert [(p.days, p.principal, p.amount) for p in penalties.periods] == [
        (61, D("1000.00"), D("24.23")),
        (60, D("524.23"), D("12.50")),
        (32, D("524.23"), D("6.55")),
    ]
    assert (penalties.interest, penalties.interest_paid, penalties.interest_due) == (
        D("43.28"),
        D("24.23"),
        D("19.05"),
    )
    assert penalties.total == D("59.05")  # 19.05 + the 40 EUR, which interest-first never takes


def test_a_later_payment_takes_only_the_interest_not_yet_paid(books, manager):
    law(books, manager, interest_first=True)
    pay(books, manager, "500.00")
    # As of 2024-06-01: 24.23 + 31 days at 14.50 % on 524.23 (6.4559 → 6.46), less 24.23 paid.
    result = pay(books, manager, "100.00", on=date(2024, 6, 1))
    assert [(s.part, s.amount) for s in result.shares] == [("interest", D("6.46")), ("principal", D("93.54"))]
    assert invoice("F-1").open_amount == D("430.69")


def test_interest_paid_but_principal_open_stays_open(books, manager):
    law(books, manager, interest_first=True)
    result = pay(books, manager, "24.23")
    assert [(s.part, s.amount) for s in result.shares] == [("interest", D("24.23"))]
    f1 = invoice("F-1")
    assert (f1.open_amount, f1.status, f1.paid_date) == (D("1000.00"), "open", None)
    assert not Event.objects.filter(kind="invoice_settled").exists()


def test_debtor_payment_goes_oldest_due_first_interest_then_principal_on_each(books, manager):
    law(books, manager, interest_first=True)
    debtor = Debtor.objects.get(ref="411A")
    result = pay(books, manager, "1100.00", invoice=None, debtor=debtor)
    # F-1: 24.23 interest then its 1,000.00; F-2 (due 2024-04-01): 30 days at 14.50 % on 2,000.00
    # = 8700 / 365 = 23.8356 → 23.84, then 1100 - 1024.23 - 23.84 = 51.93 of principal.
    assert [(s.number, s.part, s.amount) for s in result.shares] == [
        ("F-1", "interest", D("24.23")),
        ("F-1", "principal", D("1000.00")),
        ("F-2", "interest", D("23.84")),
        ("F-2", "principal", D("51.93")),
    ]
    assert result.unallocated == D("0.00")
    f1, f2 = invoice("F-1"), invoice("F-2")
    assert (f1.status, f1.paid_date, f1.open_amount) == ("paid", PAID_ON, D("0.00"))
    assert (f2.status, f2.open_amount) == ("open", D("1948.07"))
    settled = invoice_penalties(f1, AS_OF)
    assert (settled.interest, settled.interest_due, settled.total) == (D("24.23"), D("0.00"), D("40.00"))


def test_credit_notes_settle_principal_only(books, manager):
    law(books, manager, interest_first=True)
    f1 = invoice("F-1")
    credit_note = Invoice.objects.create(
        organisation=books,
        debtor=f1.debtor,
        number="AV-1",
        document_type=DocumentType.CREDIT_NOTE,
        issue_date=PAID_ON,
        due_date=PAID_ON,
        amount=D("100.00"),
        open_amount=D("100.00"),
    )
    taken = credit_note_allocate(
        organisation=books, credit_note=credit_note, invoice=f1, on=PAID_ON, actor=manager
    )
    assert taken == D("100.00")
    assert parts("F-1") == [(PAID_ON, "principal", D("100.00"))]
    assert invoice("F-1").open_amount == D("900.00")


def test_payments_an_import_derives_from_the_books_stay_principal(books, manager, import_csv):
    law(books, manager, interest_first=True)
    lowered = (
        "invoice_number;debtor_ref;issue_date;due_date;amount;open_amount\n"
        "F-1;411A;2024-02-01;2024-03-01;1000.00;400.00\n"
    )
    # F-1's open amount went down to 400.00 in the books; F-2 and C-1 are absent from a complete file.
    assert import_csv(books, lowered, today=date(2024, 6, 3), complete=True).ok
    assert parts("F-1") == [(date(2024, 6, 3), "principal", D("600.00"))]
    assert parts("F-2") == [(date(2024, 6, 3), "principal", D("2000.00"))]
    assert not Allocation.objects.filter(part="interest").exists()
    assert invoice("F-1").open_amount == D("400.00")
    assert invoice("F-2").status == "paid"
    assert set(Payment.objects.values_list("source", flat=True)) == {"import"}


def test_no_40_eur_from_the_opening_of_an_insolvency_procedure(books):
    Debtor.objects.filter(ref="411A").update(insolvency_since=date(2024, 6, 1))
    f1 = invoice("F-1")
    assert invoice_penalties(f1, date(2024, 5, 31)).fixed_indemnity == D("40.00")
    assert invoice_penalties(f1, date(2024, 6, 1)).fixed_indemnity == D("0")
    assert invoices_penalties([f1], AS_OF)[f1.pk].fixed_indemnity == D("0")


def test_contractual_rate_invoice_then_debtor_then_organisation_with_the_3x_floor(books, manager):
    def rate():
        [period] = invoice_penalties(invoice("F-1"), PAID_ON).periods
        return period.rate

    assert rate() == D("14.50")  # nothing agreed: ECB + 10
    law(books, manager, contractual_rate=D("12"))
    assert rate() == D("15.21")  # the organisation's 12 % raised to 3 x 5.07
    Debtor.objects.filter(ref="411A").update(contractual_rate=D("20"))
    assert rate() == D("20")
    Invoice.objects.filter(number="F-1").update(contractual_rate=D("25"))
    assert rate() == D("25")
    # 61 days at 25 % on 1,000.00 = 15250 / 365 = 41.7808 → 41.78.
    assert invoice_penalties(invoice("F-1"), PAID_ON).interest == D("41.78")


def test_consumers_ignore_contractual_rates_and_owe_interest_from_the_formal_notice(books, manager):
    law(books, manager, contractual_rate=D("20"))
    Debtor.objects.filter(ref="411B").update(contractual_rate=D("20"))
    Invoice.objects.filter(number="C-1").update(contractual_rate=D("20"), formal_notice_on=date(2024, 4, 1))
    c1 = invoice("C-1")
    # Legal interest from 2024-04-02: 30 days at 5.07 % on 1,000.00 = 1521 / 365 = 4.1671 → 4.17.
    result = invoice_penalties(c1, PAID_ON)
    assert ([p.rate for p in result.periods], result.interest) == ([D("5.07")], D("4.17"))
    assert result.fixed_indemnity == D("0")
    assert invoices_penalties([c1], PAID_ON)[c1.pk].interest == D("4.17")
    # A formal notice passed in wins: 10 days from 2024-04-22 = 507 / 365 = 1.389 → 1.39.
    assert invoice_penalties(c1, PAID_ON, formal_notice=date(2024, 4, 21)).interest == D("1.39")


def test_the_organisation_divisor(books, manager):
    law(books, manager, divisor=360)
    # 61 days at 14.50 % on 1,000.00 over 360: 8845 / 360 = 24.5694 → 24.57.
    assert invoice_penalties(invoice("F-1"), PAID_ON).interest == D("24.57")
    law(books, manager, interest_first=True)
    result = pay(books, manager, "500.00")
    assert [(s.part, s.amount) for s in result.shares] == [
        ("interest", D("24.57")),
        ("principal", D("475.43")),
    ]


def test_a_page_of_invoices_reads_settings_and_allocations_once(books, django_assert_num_queries):
    invoices = list(Invoice.objects.select_related("debtor").filter(number__in=["F-1", "F-2"]))
    with django_assert_num_queries(2):
        result = invoices_penalties(invoices, AS_OF)
    assert set(result) == {i.pk for i in invoices}
