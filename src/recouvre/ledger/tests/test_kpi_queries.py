"""The headline figures read from the database: sales by month, cash collected, the DSO on real rows,
each inside the organisation's scope."""

from datetime import date
from decimal import Decimal

import pytest
from django_scopes import scope

from recouvre.ledger.domain.kpi_queries import cash_collected, dso_count_back, headline_figures, monthly_sales
from recouvre.ledger.domain.services import payment_record
from recouvre.ledger.enums import InvoiceStatus
from recouvre.ledger.models import Debtor, Invoice
from recouvre.testing.fixtures import TODAY

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

D = Decimal

# TODAY is 22/11/2026. Sales: May 1 000 (F-5, paid); November 1 000 (F-11) + 2 000 (F-12, not yet due); October 3 100
# (F-10, overdue); September 4 000 (F-9, paid in full); a cancelled invoice (F-X), a credit note
# and an invoice issued after today (F-FUT) that must count nowhere.
CSV = (
    "invoice_number;debtor_ref;debtor_name;document_type;issue_date;due_date;amount;open_amount;paid_date\n"
    "F-5;411A;Alpha;invoice;2026-05-10;2026-06-10;1000.00;0;2026-06-01\n"
    "F-9;411A;;invoice;2026-09-10;2026-10-10;4000.00;0;2026-10-05\n"
    "F-10;411A;;invoice;2026-10-05;2026-11-04;3100.00;;\n"
    "F-11;411B;Bravo;invoice;2026-11-02;2026-11-12;1000.00;;\n"
    "F-12;411B;;invoice;2026-11-20;2026-12-20;2000.00;;\n"
    "F-X;411B;;invoice;2026-11-03;2026-12-03;700.00;;\n"
    "A-1;411B;;credit_note;2026-11-04;2026-11-04;50.00;;\n"
    "F-FUT;411B;;invoice;2026-11-30;2026-12-30;9999.00;;\n"
)
OTHER_CSV = (
    "invoice_number;debtor_ref;debtor_name;issue_date;due_date;amount\n"
    "S-1;411Z;Zulu;2026-11-01;2026-11-02;55555.00\n"
)


@pytest.fixture
def books(organisation, other_organisation, import_csv, manager):
    assert import_csv(organisation, CSV).ok
    assert import_csv(other_organisation, OTHER_CSV).ok
    with scope(organisation=organisation):
        Invoice.objects.filter(number="F-X").update(status=InvoiceStatus.CANCELLED, open_amount=0)
        alpha, bravo = Debtor.objects.get(ref="411A"), Debtor.objects.get(ref="411B")
        f10 = Invoice.objects.get(number="F-10")
        # Cash: 2 part-payments in November, 1 in October (the 22nd: the last day compared), one
        # on 23 October (after the same day: only in the whole month), one next month.
        for amount, on, debtor, invoice in (
            (D("100.00"), date(2026, 11, 3), alpha, f10),
            (D("400.00"), date(2026, 11, 22), bravo, None),
            (D("250.00"), date(2026, 10, 22), alpha, f10),
            (D("1000.00"), date(2026, 10, 23), alpha, f10),
            (D("9.99"), date(2026, 11, 23), alpha, f10),
        ):
            payment_record(
                organisation=organisation, debtor=debtor, invoice=invoice, amount=amount, on=on, actor=manager
            )
    with scope(organisation=other_organisation):
        zulu = Debtor.objects.get(ref="411Z")
        payment_record(
            organisation=other_organisation, debtor=zulu, amount=D("777.00"), on=TODAY, actor=manager
        )
    return organisation


def test_monthly_sales_leave_out_cancelled_invoices_credit_notes_and_the_future(books, in_scope):
    assert monthly_sales(date(2025, 12, 1), TODAY) == {
        date(2026, 5, 1): D("1000.00"),
        date(2026, 9, 1): D("4000.00"),
        date(2026, 10, 1): D("3100.00"),
        date(2026, 11, 1): D("3000.00"),
    }
    # Only the days asked for, both ends included.
    assert monthly_sales(date(2026, 10, 5), date(2026, 11, 2)) == {
        date(2026, 10, 1): D("3100.00"),
        date(2026, 11, 1): D("1000.00"),
    }


def test_older_sales_are_read_when_the_recent_months_do_not_cover_the_receivables(books, in_scope):
    # The four recent months (August to November) sold 0 + 4 000 + 3 100 + 3 000 = 10 100:
    # September's 4 000 just covers what November and October leave.
    covered = dso_count_back(D("10100.00"), TODAY)
    assert (covered.days, covered.since, covered.exceeded) == (22 + 31 + 30, date(2026, 9, 1), False)
    # 500 more: August sold nothing, so the older months are read, down to May's 1 000:
    # 22 + 31 + 30 + 31 (Aug) + 31 (Jul) + 30 (Jun) + 31 x 500 / 1 000 = 190.5.
    older = dso_count_back(D("10600.00"), TODAY)
    assert (older.days, older.since, older.exceeded) == (191, date(2026, 5, 1), False)
    # Beyond a year of sales, the DSO is "at least" the twelve months.
    beyond = dso_count_back(D("11100.01"), TODAY)
    assert beyond.exceeded
    assert beyond.since == date(2025, 12, 1)
    assert beyond.days == (TODAY - date(2025, 12, 1)).days + 1


def test_cash_collected_by_payment_date(books, in_scope):
    cash = cash_collected(TODAY)
    assert cash.this_month == D("500.00")
    # The import recorded F-9's settlement as a 4 000 payment on its paid date, 5 October.
    assert cash.last_month_to_date == D("4250.00")
    assert cash.last_month == D("5250.00")
    # (500 - 4 250) / 4 250 = -88.24 %
    assert cash.change_percent == D("-88.2")


def test_headline_figures(books, in_scope):
    figures = headline_figures(TODAY)
    # Open: F-10 3 100 - 100 - 250 - 1 000 (the 9,99 of 23/11 is after today, so added back) = 1 750;
    # Bravo's 400 went to F-11 (oldest due first): 600 left, overdue; F-12 2 000 not due.
    assert figures.open_total == D("4350.00")
    assert figures.overdue_total == D("2350.00")
    assert figures.aged.buckets["1-30"] == D("2350.00")
    # 4 350 against November's 3 000 (22 days), then October's 3 100: 22 + 31 x 1 350 / 3 100 = 35.5.
    assert figures.dso.days == 36
    assert figures.dso.since == date(2026, 10, 1)
    assert figures.cash.this_month == D("500.00")


def test_an_empty_organisation_has_quiet_figures(organisation, in_scope):
    figures = headline_figures(TODAY)
    assert figures.open_total == D("0.00")
    assert figures.dso.days is None
    assert figures.cash.this_month == D("0.00")
    assert figures.cash.change_percent is None
