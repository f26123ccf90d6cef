"""Limitation dates agree to the day with a computation written from french-law.md alone (not from the
code): on generated invoices of both debtor types, with delivery dates, part-payments, recorded
interruptions (some withdrawn, some after the day asked) and formal notices that must change nothing."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from recouvre.ledger.domain.limitation import limitation_interruption_record, limitation_interruption_withdraw
from recouvre.ledger.domain.queries import invoices_as_of
from recouvre.ledger.domain.services import payment_record
from recouvre.ledger.models import Invoice

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

TODAY = date(2026, 11, 23)
KINDS = ("acknowledgement", "payment_plan", "court_claim", "enforcement")


def years_later(start: date, years: int) -> date:
    """Same day and month `years` later; 29 February becomes 28 February (the month has no 29th)."""
    if start.month == 2 and start.day == 29:
        return date(start.year + years, 2, 28)
    return date(start.year + years, start.month, start.day)


def expected(debtor_type, due, delivery, events, as_of):
    period = 5 if debtor_type == "B2B" else 2
    start = due if delivery is None or delivery < due else delivery
    for day in sorted(d for d in events if d <= as_of):
        if day > start:
            start = day
    return years_later(start, period)


def test_limitation_dates_agree_with_an_independent_computation(organisation, import_csv, in_scope):
    rng = random.Random(20261123)
    lines = ["invoice_number;debtor_ref;debtor_name;debtor_type;issue_date;due_date;delivery_date;amount\n"]
    plans = {}
    for n in range(120):
        kind = rng.choice(("B2B", "B2C"))
        issue = date(2019, 1, 1) + timedelta(days=rng.randrange(0, 2400))
        due = issue + timedelta(days=rng.choice((0, 30, 45, 60)))
        delivery = issue + timedelta(days=rng.randrange(-20, 90)) if rng.random() < 0.3 else None
        number = f"L-{n:03d}"
        debtor = f"411{kind}{n % 17}"
        lines.append(f"{number};{debtor};Client {debtor};{kind};{issue};{due};{delivery or ''};1000.00\n")
        plans[number] = (kind, due, delivery)
    report = import_csv(organisation, "".join(lines), today=TODAY)
    assert report.ok, report

    events: dict[str, list[date]] = {number: [] for number in plans}
    for number, (_kind, due, _delivery) in plans.items():
        invoice = Invoice.objects.select_related("debtor").get(number=number)
        for _ in range(rng.randrange(0, 3)):  # part-payments of 50.00, dated after the due date
            day = due + timedelta(days=rng.randrange(1, 1500))
            if day <= TODAY:
                payment_record(
                    organisation=organisation,
                    debtor=invoice.debtor,
                    invoice=invoice,
                    amount=Decimal("50.00"),
                    on=day,
                    actor=None,
                )
                events[number].append(day)
        for _ in range(rng.randrange(0, 2)):
            day = invoice.issue_date + timedelta(days=rng.randrange(0, 2000))
            if day > TODAY:
                continue
            row = limitation_interruption_record(
                organisation=organisation,
                invoice=invoice,
                kind=rng.choice(KINDS),
                on=day,
                today=TODAY,
                actor=None,
            )
            if rng.random() < 0.25:  # withdrawn: a mistake, it counts for nothing
                limitation_interruption_withdraw(
                    organisation=organisation, interruption=row, reason="erreur", actor=None
                )
            else:
                events[number].append(day)

    invoices = list(Invoice.objects.select_related("debtor").filter(number__in=plans))
    for as_of in (TODAY, date(2024, 6, 30), date(2022, 1, 1)):
        states = invoices_as_of(invoices, as_of)
        compared = 0
        for invoice in invoices:
            state = states[invoice.pk]
            if invoice.issue_date > as_of or state.prescription_date is None:
                continue
            kind, due, delivery = plans[invoice.number]
            assert state.prescription_date == expected(kind, due, delivery, events[invoice.number], as_of), (
                invoice.number,
                as_of,
            )
            compared += 1
        assert compared > 30
