"""The demo portfolio as lines of the canonical invoice CSV (shared/spec/invoices-csv.md).

Pure and deterministic: the same (invoices, seed, today) always yields the same lines, and nothing is
dated after `today`. Lines come one at a time in issue-date order, so a portfolio of any size costs
the memory of its debtors only (one per ten invoices).

How the history is made: invoices are spread over the business days of the 18 months before `today`
(more at month end, when monthly billing runs, fewer in August); each goes to a debtor drawn by its
activity. Whether and when it was paid follows the debtor's behaviour profile, so that the payer
profiles and risk scores the product learns from the history have something to find, and the aged
balance at `today` has amounts in every bucket."""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from faker import Faker

from recouvre.demo.debtors import (
    DISPUTER,
    GOOD,
    HABITUAL,
    OCCASIONAL,
    STOPPER,
    DebtorFactory,
    DemoDebtor,
)

WINDOW_DAYS = 548  # 18 months
INVOICES_PER_DEBTOR = 10
# Fixed-date French public holidays: no invoicing run on them (the moving ones matter little here).
_HOLIDAYS = {(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)}
MEDIAN_TTC = {"TPE": 900, "PME": 3_200, "ETI": 12_000, "GE": 38_000, "B2C": 350, "PUBLIC": 6_000}
# Probability that an invoice is never paid: the debtor forgot it, or it was lost.
NEVER_PAID = {GOOD: 0.002, OCCASIONAL: 0.01, HABITUAL: 0.03, DISPUTER: 0.02, STOPPER: 0.01}
# Probability that an invoice still open and overdue at `today` has received a part payment.
PART_PAYMENT = {GOOD: 0.05, OCCASIONAL: 0.12, HABITUAL: 0.2, DISPUTER: 0.1, STOPPER: 0.15}
CREDIT_NOTE = {GOOD: 0.015, OCCASIONAL: 0.025, HABITUAL: 0.025, DISPUTER: 0.06, STOPPER: 0.02}
# Disputes older than this were settled long ago; only recent invoices are still contested.
DISPUTE_HORIZON = timedelta(days=180)
_CENT = Decimal("0.01")


def debtor_count(invoices: int) -> int:
    return max(1, round(invoices / INVOICES_PER_DEBTOR))


def make_debtors(invoices: int, seed: int, today: date) -> list[DemoDebtor]:
    rng = random.Random(f"recouvre-demo:{seed}:debtors")
    fake = Faker("fr_FR")
    fake.seed_instance(seed)
    debtors = DebtorFactory(rng, fake).build(debtor_count(invoices))
    for debtor in debtors:
        if debtor.profile == STOPPER:
            debtor.stop = today - timedelta(days=rng.randint(100, 300))
    return debtors


def payment_delay(rng: random.Random, profile: str) -> int:
    """Days between the due date and the payment (negative: paid early)."""
    roll = rng.random()
    if profile == GOOD:
        low, high = (-10, -1) if roll < 0.3 else (0, 5) if roll < 0.96 else (6, 15)
    elif profile == HABITUAL:
        if 0.1 <= roll < 0.9:
            return round(rng.triangular(31, 100, 50))
        low, high = (5, 30) if roll < 0.1 else (101, 160)
    elif profile == DISPUTER:
        low, high = (0, 10) if roll < 0.45 else (11, 40) if roll < 0.8 else (41, 90)
    else:  # occasional late payers, and stoppers before they stopped
        low, high = (-3, 7) if roll < 0.5 else (10, 35) if roll < 0.85 else (36, 75)
    return rng.randint(low, high)


def due_date(issue: date, terms: str) -> date:
    due = issue + timedelta(days=int(terms.split()[0]))
    if "fin de mois" in terms:
        due = (due.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return due


def business_days(first: date, last: date) -> list[date]:
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return [d for d in days if d.weekday() < 5 and (d.month, d.day) not in _HOLIDAYS]


def _day_weights(days: list[date]) -> list[float]:
    weights = []
    for i, day in enumerate(days):
        weight = 1 + 0.3 * i / len(days)  # the creditor's business grows
        if i + 1 == len(days) or days[i + 1].month != day.month:
            weight *= 4
        if day.month == 8:
            weight *= 0.6
        weights.append(weight)
    return weights


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def generate_rows(invoices: int, seed: int, today: date) -> Iterator[dict[str, str]]:
    """The lines of the demo file, keyed by the canonical column names, every value a string."""
    if invoices < 1:
        raise ValueError("a demo portfolio needs at least one invoice")
    debtors = make_debtors(invoices, seed, today)
    yield from _Ledger(debtors, invoices, seed, today).rows()


class _Ledger:
    def __init__(self, debtors: list[DemoDebtor], invoices: int, seed: int, today: date) -> None:
        self.rng = random.Random(f"recouvre-demo:{seed}:invoices")
        self.debtors = debtors
        self.total = invoices
        self.today = today
        self.emitted = 0
        self.numbers: dict[tuple[str, int], int] = {}

    def rows(self) -> Iterator[dict[str, str]]:
        rng, total = self.rng, self.total
        days = business_days(self.today - timedelta(days=WINDOW_DAYS), self.today)
        weights = list(itertools.accumulate(_day_weights(days)))
        targets = [round(total * w / weights[-1]) for w in weights]
        # Most customers were already in the books when the history starts; the others arrive over time.
        starts: dict[int, list[DemoDebtor]] = {}
        early = max(1, len(days) // 6)
        for debtor in self.debtors:
            start = rng.randrange(early) if rng.random() < 0.7 else rng.randrange(len(days))
            starts.setdefault(start, []).append(debtor)
        # Every debtor has a first invoice on its start day; `waiting` keeps room for those to come.
        waiting = len(self.debtors)
        active: list[DemoDebtor] = []
        cumulative: list[float] = []
        for i, day in enumerate(days):
            for debtor in starts.get(i, ()):
                active.append(debtor)
                cumulative.append((cumulative[-1] if cumulative else 0.0) + debtor.weight)
                waiting -= 1
                yield from self.invoice(debtor, day, credit_allowed=total - self.emitted - 2 >= waiting)
            target = total if i == len(days) - 1 else targets[i]
            while active and self.emitted < target and total - self.emitted - 1 >= waiting:
                debtor = self.pick(active, cumulative, day)
                yield from self.invoice(debtor, day, credit_allowed=total - self.emitted - 2 >= waiting)

    def pick(self, active: list[DemoDebtor], cumulative: list[float], day: date) -> DemoDebtor:
        """A debtor drawn by activity; a stopper is no longer invoiced two months after it stopped."""
        for _ in range(4):
            debtor = active[bisect.bisect(cumulative, self.rng.random() * cumulative[-1])]
            if debtor.stop is None or day <= debtor.stop + timedelta(days=60):
                break
        return debtor

    def number(self, prefix: str, year: int) -> str:
        seq = self.numbers[(prefix, year)] = self.numbers.get((prefix, year), 0) + 1
        return f"{prefix}{year}-{seq:06d}"

    def amount_cents(self, debtor: DemoDebtor) -> int:
        if debtor.recurring_cents and self.rng.random() < 0.6:
            return debtor.recurring_cents
        median = MEDIAN_TTC[debtor.kind if debtor.kind != "B2B" else debtor.segment]
        cents = round(self.rng.lognormvariate(math.log(median), 0.85) * 100)
        return max(1_500, min(cents, 150_000_000))

    def excl_tax(self, cents: int, debtor: DemoDebtor) -> str:
        return str((Decimal(cents) / 100 / debtor.vat_divisor).quantize(_CENT, rounding=ROUND_HALF_UP))

    def po_number(self, debtor: DemoDebtor, issue: date) -> str:
        rng = self.rng
        if debtor.kind == "PUBLIC":
            return f"EJ{rng.randint(1_300_000_000, 1_399_999_999)}"  # Chorus Pro legal commitment
        if debtor.segment in ("ETI", "GE") and rng.random() < 0.7:
            return f"45{rng.randint(0, 99_999_999):08d}"
        if debtor.segment == "PME" and rng.random() < 0.2:
            return f"BC-{issue.year}-{rng.randint(1, 9999):04d}"
        return ""

    def invoice(self, debtor: DemoDebtor, issue: date, credit_allowed: bool) -> Iterator[dict[str, str]]:
        rng, today, profile = self.rng, self.today, debtor.profile
        number = self.number("F", issue.year)
        cents = self.amount_cents(debtor)
        due = due_date(issue, debtor.terms)
        credit_on = issue + timedelta(days=rng.randint(3, 40))
        credit_cents = 0
        if credit_allowed and credit_on <= today and rng.random() < CREDIT_NOTE[profile]:
            credit_cents = cents if rng.random() < 0.35 else max(1, round(cents * rng.uniform(0.05, 0.3)))
        paid_on = max(due + timedelta(days=payment_delay(rng, profile)), issue)
        if credit_cents:
            # The customer waits for the credit note and pays the net amount after it.
            paid_on = max(paid_on, credit_on)
        never = rng.random() < NEVER_PAID[profile] or credit_cents == cents
        stopped = debtor.stop is not None and paid_on >= debtor.stop
        paid: date | None = None if never or stopped or paid_on > today else paid_on
        disputed = False
        if not credit_cents and due >= today - DISPUTE_HORIZON:
            disputed = rng.random() < (0.25 if profile == DISPUTER else 0.004)
            paid = None if disputed else paid
        open_cents, paid_cell = cents, ""
        if paid is not None:
            open_cents, paid_cell = 0, paid.isoformat()
        elif not credit_cents and not disputed and due < today and rng.random() < PART_PAYMENT[profile]:
            # A part payment, often a round sum; the rest is still owed. A stopper paid it before stopping.
            earliest = max(issue, due - timedelta(days=5))
            latest = today if debtor.stop is None else min(today, debtor.stop - timedelta(days=1))
            if latest >= earliest:
                part = min(cents - 1, max(1, round(cents * rng.uniform(0.2, 0.7) / 100) * 100))
                part_on = earliest + timedelta(days=rng.randint(0, (latest - earliest).days))
                open_cents, paid_cell = cents - part, part_on.isoformat()
        row = dict(debtor.columns)
        row.update(
            invoice_number=number,
            document_type="invoice",
            applies_to="",
            issue_date=issue.isoformat(),
            due_date=due.isoformat(),
            amount=_money(cents),
            amount_excl_tax=self.excl_tax(cents, debtor),
            currency="EUR",
            # The open amount before any credit note: the import allocates the credit note itself.
            open_amount=_money(open_cents),
            paid_date=paid_cell,
            disputed="1" if disputed else "0",
            po_number=self.po_number(debtor, issue),
            delivery_date=(issue - timedelta(days=rng.randint(0, 12))).isoformat()
            if rng.random() < 0.5
            else "",
            payment_terms=debtor.terms,
        )
        self.emitted += 1
        yield row
        if credit_cents:
            credit = dict(debtor.columns)
            credit.update(
                invoice_number=self.number("AV", credit_on.year),
                document_type="credit_note",
                applies_to=number,
                issue_date=credit_on.isoformat(),
                due_date=credit_on.isoformat(),
                amount=_money(credit_cents),
                amount_excl_tax=self.excl_tax(credit_cents, debtor),
                currency="EUR",
                open_amount="",
                paid_date="",
                disputed="0",
                po_number=row["po_number"],
                delivery_date="",
                payment_terms="",
            )
            self.emitted += 1
            yield credit
