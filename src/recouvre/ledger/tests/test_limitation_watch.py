"""Invoices near their limitation date: 5 years for businesses, 2 for consumers, from the due date, pushed
back by a part-payment, never by a reminder."""

from datetime import date

import pytest
from django.urls import reverse

from recouvre.ledger.domain.limitation_watch import invoices_at_risk
from recouvre.testing.fixtures import TODAY

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

CSV = (
    "invoice_number;debtor_ref;debtor_name;debtor_type;issue_date;due_date;amount;open_amount;paid_date\n"
    # B2B, due 2022-01-10: limitation 2027-01-10, within 6 months of 22/11/2026 and not within 1.
    "OLD-1;411OLD;Ancienne SA;B2B;2021-12-10;2022-01-10;1000.00;;\n"
    # B2B, due 2021-12-01: limitation 2026-12-01, within a month.
    "OLD-2;411OLD;;;2021-11-01;2021-12-01;500.00;;\n"
    # B2B, due 2021-06-01: lapsed on 2026-06-01.
    "OLD-3;411OLD;;;2021-05-01;2021-06-01;200.00;;\n"
    # B2B, due 2022-09-01: limitation 2027-09-01, beyond 6 months.
    "OLD-4;411OLD;;;2022-08-01;2022-09-01;300.00;;\n"
    # B2C, due 2025-01-15: 2 years, limitation 2027-01-15.
    "C-1;411CONSO;Jean Conso;B2C;2024-12-15;2025-01-15;90.00;;\n"
    # Paid: never at risk.
    "OLD-5;411OLD;;;2021-11-01;2021-12-01;80.00;0;2022-01-05\n"
)


@pytest.fixture
def books(organisation, import_csv, in_scope):
    assert import_csv(organisation, CSV, today=TODAY).ok
    return organisation


def test_the_invoices_at_risk_nearest_first_with_their_warnings(books):
    risks, count = invoices_at_risk(TODAY)
    assert count == 4
    got = [(r.invoice.number, r.prescription_date, r.urgent, r.lapsed) for r in risks]
    assert got == [
        ("OLD-3", date(2026, 6, 1), True, True),
        ("OLD-2", date(2026, 12, 1), True, False),
        ("OLD-1", date(2027, 1, 10), False, False),
        ("C-1", date(2027, 1, 15), False, False),
    ]


def test_a_part_payment_interrupts_limitation_and_leaves_the_list(books):
    from decimal import Decimal

    from recouvre.ledger.domain.services import payment_record
    from recouvre.ledger.models import Invoice

    invoice = Invoice.objects.get(number="OLD-1")
    payment_record(
        organisation=books,
        debtor=invoice.debtor,
        amount=Decimal("100.00"),
        on=date(2026, 3, 1),
        invoice=invoice,
        actor=None,
    )
    numbers = [r.invoice.number for r in invoices_at_risk(TODAY)[0]]
    assert "OLD-1" not in numbers  # 2031-03-01 now


def test_the_page_and_the_today_tile(client, books, make_user, monkeypatch):
    for module in ("limitation", "today"):
        monkeypatch.setattr(f"recouvre.backoffice.views.{module}.paris_today", lambda: TODAY)
    client.force_login(make_user(books, "viewer"))
    page = client.get(reverse("backoffice:limitation-list")).content.decode()
    assert "4 factures concernées" in page
    assert page.index("OLD-3") < page.index("OLD-2") < page.index("OLD-1") < page.index("C-1")
    assert "prescrite" in page
    today = client.get(reverse("backoffice:home"))
    assert today.context["counts"].near_limitation == 4
