"""Payment plan services: proposal within or outside the rules, a manager's decision, the signature
(PDF, limitation interrupted, timeline), the daily watch (paid, broken, completed) and cancelling."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from recouvre.arrangements.domain.plan_queries import active_plan, open_plan, plans_awaiting_approval
from recouvre.arrangements.domain.plans import (
    PlanError,
    plan_cancel,
    plan_decide,
    plan_problem_text,
    plan_propose,
    plan_sign,
    plans_watch,
)
from recouvre.arrangements.domain.schedule import Problem
from recouvre.arrangements.enums import InstalmentStatus, PlanStatus
from recouvre.audit.models import AuditEntry
from recouvre.ledger.domain.queries import invoice_as_of
from recouvre.ledger.domain.services import payment_record
from recouvre.ledger.models import Debtor, Invoice, LimitationInterruption
from recouvre.timeline.models import Event

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

D = Decimal
TODAY = date(2026, 11, 22)
CSV = (
    "invoice_number;debtor_ref;debtor_name;debtor_siren;debtor_address;debtor_postcode;debtor_city;"
    "debtor_type;issue_date;due_date;amount;document_type\n"
    # B2B, due 10 Jan 2022: prescribed on 10 Jan 2027 unless interrupted.
    "F-1;411DUPONT;Dupont Industrie;732829320;12 rue des Lilas;69003;Lyon;B2B;2021-12-10;2022-01-10;600.00;\n"
    "F-2;411DUPONT;;;;;;;2026-09-01;2026-10-01;400.00;\n"
    "F-3;411DUPONT;;;;;;;2026-10-01;2026-10-31;75.00;\n"
    "AV-1;411DUPONT;;;;;;;2026-10-05;2026-10-05;20.00;credit_note\n"
    "M-1;411MARTIN;Martin & Fils;;;;;B2B;2026-09-01;2026-10-01;99.90;\n"
)


@pytest.fixture
def books(organisation, import_csv, in_scope, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    report = import_csv(organisation, CSV, today=TODAY)
    assert report.ok, report
    return organisation


@pytest.fixture
def dupont(books):
    return Debtor.objects.get(ref="411DUPONT")


def invoices(*numbers):
    return list(Invoice.objects.filter(number__in=numbers))


def propose(organisation, debtor, numbers=("F-1", "F-2"), count=3, first=date(2026, 12, 5), actor=None, **kw):
    return plan_propose(
        organisation=organisation,
        debtor=debtor,
        invoices=invoices(*numbers),
        count=count,
        frequency=kw.pop("frequency", "monthly"),
        first_date=first,
        today=kw.pop("today", TODAY),
        source=kw.pop("source", "portal"),
        actor=actor,
    )


def kinds(debtor):
    return list(Event.objects.filter(debtor=debtor).order_by("id").values_list("kind", flat=True))


def schedule(plan):
    return [(i.number, i.due_date, i.amount) for i in plan.instalments.order_by("number")]


# --- proposing -------------------------------------------------------------------------------------


def test_a_proposal_within_the_rules_is_accepted(books, dupont):
    plan = propose(books, dupont)
    assert plan.status == PlanStatus.PROPOSED
    assert (plan.total, plan.currency, plan.grace_days, plan.problems) == (D("1000.00"), "EUR", 5, [])
    assert schedule(plan) == [
        (1, date(2026, 12, 5), D("333.33")),
        (2, date(2027, 1, 5), D("333.33")),
        (3, date(2027, 2, 5), D("333.34")),
    ]
    assert sorted((link.invoice.number, link.amount) for link in plan.links.all()) == [
        ("F-1", D("600.00")),
        ("F-2", D("400.00")),
    ]
    assert kinds(dupont)[-2:] == ["plan_proposed", "plan_accepted"]
    assert AuditEntry.objects.filter(object_type="payment_plan", action="create").count() == 1
    assert open_plan(dupont) == plan
    assert active_plan(dupont) is None
    assert list(plans_awaiting_approval()) == []


def test_outside_the_rules_it_waits_for_a_manager_who_approves(books, dupont, manager):
    plan = propose(books, dupont, count=12)
    assert plan.status == PlanStatus.AWAITING_APPROVAL
    assert plan.problems == [{"code": "max_instalments", "limit": "6"}]
    assert kinds(dupont)[-1] == "plan_proposed"
    assert list(plans_awaiting_approval()) == [plan]
    plan = plan_decide(plan=plan, approve=True, today=TODAY, actor=manager)
    assert (plan.status, plan.decided_by) == (PlanStatus.PROPOSED, manager)
    assert plan.decided_at is not None
    assert kinds(dupont)[-1] == "plan_accepted"
    assert list(plans_awaiting_approval()) == []
    with pytest.raises(PlanError):
        plan_decide(plan=plan, approve=True, today=TODAY, actor=manager)


def test_a_manager_refuses_with_a_reason_and_an_agent_may_not_decide(books, dupont, manager, make_user):
    plan = propose(books, dupont, first=date(2027, 2, 1))
    assert plan.problems == [{"code": "first_date_late", "limit": "30"}]
    with pytest.raises(PermissionDenied):
        plan_decide(plan=plan, approve=True, today=TODAY, actor=make_user(books, "agent"))
    with pytest.raises(PlanError, match="pourquoi"):
        plan_decide(plan=plan, approve=False, today=TODAY, actor=manager, reason="  ")
    plan = plan_decide(plan=plan, approve=False, today=TODAY, actor=manager, reason="Trop tard")
    assert (plan.status, plan.refusal_reason, plan.ended_on) == (PlanStatus.REFUSED, "Trop tard", TODAY)
    assert kinds(dupont)[-1] == "plan_refused"
    assert open_plan(dupont) is None


def test_problems_are_worded_for_the_manager():
    assert plan_problem_text(Problem("min_instalment", "50.00")) == "Des échéances de moins de 50,00\u00a0€."
    assert plan_problem_text(Problem("max_instalments", "6")) == "Plus de 6 échéances."


def test_the_organisation_s_rules_are_used(books, dupont):
    books.settings = {**books.settings, "plans": {"max_instalments": 12, "min_instalment": "20.00"}}
    books.save()
    assert propose(books, dupont, count=12).status == PlanStatus.PROPOSED


@pytest.mark.parametrize(
    ("numbers", "first", "message"),
    [
        (("F-1",), date(2026, 11, 21), "passé"),
        (("F-1", "M-1"), date(2026, 12, 5), "M-1"),
        (("AV-1",), date(2026, 12, 5), "AV-1"),
        ((), date(2026, 12, 5), "au moins une facture"),
    ],
)
def test_impossible_proposals_are_refused(books, dupont, numbers, first, message):
    with pytest.raises(PlanError, match=message):
        propose(books, dupont, numbers=numbers, first=first)
    assert open_plan(dupont) is None


def test_a_new_proposal_replaces_a_pending_one_but_not_a_signed_one(books, dupont):
    first = propose(books, dupont)
    second = propose(books, dupont, numbers=("F-1", "F-2", "F-3"), count=2)
    first.refresh_from_db()
    assert (first.status, first.ended_on) == (PlanStatus.CANCELLED, TODAY)
    assert second.total == D("1075.00")
    plan_sign(plan=second, today=TODAY, actor=None, signature_text="Jean Dupont")
    with pytest.raises(PlanError, match="déjà en cours"):
        propose(books, dupont)


# --- signing ---------------------------------------------------------------------------------------


def test_signing_writes_the_pdf_interrupts_limitation_and_activates(books, dupont, settings):
    f1 = Invoice.objects.get(number="F-1")
    assert invoice_as_of(f1, TODAY).prescription_date == date(2027, 1, 10)
    plan = propose(books, dupont)
    plan = plan_sign(plan=plan, today=TODAY, actor=None, signature_text="  Lu et approuvé,   Jean Dupont ")
    assert plan.status == PlanStatus.ACTIVE
    assert (plan.signed_on, plan.signature_method, plan.signature_text) == (
        TODAY,
        "portal",
        "Lu et approuvé, Jean Dupont",
    )
    assert plan.signed_document == f"documents/{books.slug}/plans/plan-{plan.pk}.pdf"
    pdf = (Path(settings.DATA_DIR) / plan.signed_document).read_bytes()
    assert pdf.startswith(b"%PDF")
    # The signature is an acknowledgement of debt: a new five-year period from today.
    assert invoice_as_of(f1, TODAY).prescription_date == date(2031, 11, 22)
    assert invoice_as_of(f1, TODAY).limitation_start.kind == "payment_plan"
    interruptions = LimitationInterruption.objects.filter(kind="payment_plan")
    assert sorted(i.invoice.number for i in interruptions) == ["F-1", "F-2"]
    assert {i.reference for i in interruptions} == {f"Échéancier n° {plan.pk}"}
    assert kinds(dupont)[-3:] == ["limitation_interrupted", "limitation_interrupted", "plan_signed"]
    assert active_plan(dupont) == plan
    with pytest.raises(PlanError):
        plan_sign(plan=plan, today=TODAY, actor=None, signature_text="encore")


def test_the_signed_pdf_says_who_owes_what_and_when(books, dupont, manager, settings):
    from pypdf import PdfReader

    plan = plan_sign(plan=propose(books, dupont), today=TODAY, actor=manager, signature_text="Jean Dupont")
    assert plan.signature_method == "recorded"
    text = PdfReader(io.BytesIO((Path(settings.DATA_DIR) / plan.signed_document).read_bytes())).pages[0]
    text = " ".join(text.extract_text().split())
    for expected in (
        "Acme Industrie",
        "Dupont Industrie",
        "411DUPONT",
        "12 rue des Lilas",
        "F-1",
        "10/01/2022",
        "F-2",
        "1 000,00 €",
        "05/12/2026",
        "05/02/2027",
        "333,34 €",
        "reconnaît devoir",
        "3 échéances mensuelles",
        "2240",
        "5 jours",
        "FR76 3000",
        "« Jean Dupont »",
        "enregistrée par un chargé de recouvrement",
    ):
        assert expected in text.replace("\u00a0", " "), expected


def test_a_plan_awaiting_a_manager_cannot_be_signed(books, dupont):
    plan = propose(books, dupont, count=12)
    with pytest.raises(PlanError):
        plan_sign(plan=plan, today=TODAY, actor=None, signature_text="Jean Dupont")
    with pytest.raises(PlanError, match="signature"):
        plan_sign(plan=propose(books, dupont), today=TODAY, actor=None, signature_text="   ")


# --- the daily watch -------------------------------------------------------------------------------


@pytest.fixture
def signed(books, dupont):
    """75.00 (F-3) in 3 monthly instalments of 25.00 from 1 Dec 2026, signed on TODAY (22 Nov)."""
    books.settings = {**books.settings, "plans": {"min_instalment": "10.00"}}
    books.save()
    plan = propose(books, dupont, numbers=("F-3",), count=3, first=date(2026, 12, 1))
    assert plan.total == D("75.00")
    return plan_sign(plan=plan, today=TODAY, actor=None, signature_text="Jean Dupont")


def pay(organisation, debtor, amount, on):
    payment_record(organisation=organisation, debtor=debtor, amount=D(amount), on=on, actor=None)


def statuses(plan):
    return [(i.status, i.paid_amount, i.paid_on) for i in plan.instalments.order_by("number")]


def test_the_watch_marks_an_instalment_paid_from_a_payment(books, dupont, signed):
    pay(books, dupont, "10.00", date(2026, 11, 20))  # before the signature: not for the plan
    pay(books, dupont, "25.00", date(2026, 12, 2))
    report = plans_watch(organisation=books, today=date(2026, 12, 3))
    assert (report.plans, report.instalments_paid, report.broken, report.completed) == (1, 1, 0, 0)
    assert statuses(signed) == [
        (InstalmentStatus.PAID, D("25.00"), date(2026, 12, 2)),
        (InstalmentStatus.DUE, D("0.00"), None),
        (InstalmentStatus.DUE, D("0.00"), None),
    ]
    event = Event.objects.filter(kind="instalment_paid").get()
    assert event.data["number"] == 1
    # Again the same day: nothing new.
    again = plans_watch(organisation=books, today=date(2026, 12, 3))
    assert again.instalments_paid == 0
    assert Event.objects.filter(kind="instalment_paid").count() == 1


def test_the_watch_breaks_a_plan_after_the_grace_days(books, dupont, signed):
    # Due 1 Dec, 5 days' grace: still running on 6 Dec, broken on 7 Dec.
    assert plans_watch(organisation=books, today=date(2026, 12, 6)).broken == 0
    signed.refresh_from_db()
    assert signed.status == PlanStatus.ACTIVE
    assert plans_watch(organisation=books, today=date(2026, 12, 7)).broken == 1
    signed.refresh_from_db()
    assert (signed.status, signed.ended_on) == (PlanStatus.BROKEN, date(2026, 12, 7))
    assert statuses(signed)[0][0] == InstalmentStatus.MISSED
    broken = Event.objects.get(kind="plan_broken")
    assert broken.data["missed"] == [1]
    assert active_plan(dupont) is None
    # A broken plan is no longer watched.
    assert plans_watch(organisation=books, today=date(2026, 12, 8)).plans == 0


def test_the_watch_completes_on_early_payoff(books, dupont, signed):
    pay(books, dupont, "25.00", date(2026, 12, 1))
    pay(books, dupont, "50.00", date(2026, 12, 10))
    report = plans_watch(organisation=books, today=date(2026, 12, 10))
    assert (report.instalments_paid, report.completed) == (3, 1)
    signed.refresh_from_db()
    assert (signed.status, signed.ended_on) == (PlanStatus.COMPLETED, date(2026, 12, 10))
    assert kinds(dupont)[-1] == "plan_completed"


def test_cancelling(books, dupont, signed, manager):
    plan = plan_cancel(plan=signed, today=date(2026, 12, 2), actor=manager, reason="Payé autrement")
    assert (plan.status, plan.ended_on, plan.cancel_reason) == (
        PlanStatus.CANCELLED,
        date(2026, 12, 2),
        "Payé autrement",
    )
    note = Event.objects.filter(debtor=dupont, kind="note").latest("id")
    assert note.data == {"plan_id": plan.pk, "plan_status": "cancelled", "reason": "Payé autrement"}
    assert active_plan(dupont) is None
    with pytest.raises(PlanError):
        plan_cancel(plan=plan, today=date(2026, 12, 2), actor=manager)
