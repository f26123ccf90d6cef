"""A letter waiting for approval, previewed as it would leave today: nothing stored, nothing sent."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django_scopes import scope

from recouvre.disputes.domain.services import dispute_open
from recouvre.dunning.domain import preview as preview_module
from recouvre.dunning.domain.preview import PreviewError, letter_preview
from recouvre.dunning.enums import ActionStatus
from recouvre.dunning.models import Action
from recouvre.dunning.tests.support import line, load
from recouvre.ledger.models import Debtor, Invoice
from recouvre.timeline.models import Event

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

TODAY = date(2026, 11, 23)


@pytest.fixture
def waiting(organisation, import_csv, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    load(
        import_csv,
        organisation,
        line("F-1", "C1", TODAY - timedelta(days=40), "1200.00"),
        line("F-2", "C1", TODAY - timedelta(days=30), "300.00"),
        today=TODAY,
    )
    with scope(organisation=organisation):
        invoices = list(Invoice.objects.order_by("number"))
        action = Action.objects.create(
            organisation=organisation,
            debtor=Debtor.objects.get(ref="C1"),
            step="formal_notice",
            channel="registered_letter",
            status=ActionStatus.AWAITING_APPROVAL,
            needs_approval=True,
            scheduled_for=TODAY - timedelta(days=2),
            invoice_ids=[i.pk for i in invoices],
            invoice_numbers=[i.number for i in invoices],
            amount_due=Decimal("1500.00"),
        )
    return organisation, action


def test_the_preview_is_a_pdf_and_nothing_is_stored_or_recorded(waiting, tmp_path):
    organisation, action = waiting
    with scope(organisation=organisation):
        events = Event.objects.count()
        preview = letter_preview(organisation=organisation, action=action, today=TODAY)
        kept = Action.objects.get(pk=action.pk)
        assert Event.objects.count() == events
    assert preview.pdf.startswith(b"%PDF")
    assert preview.invoice_numbers == ("F-1", "F-2")
    assert (kept.status, kept.document, kept.letter, kept.body, kept.subject) == (
        ActionStatus.AWAITING_APPROVAL,
        "",
        {},
        "",
        "",
    )
    assert not any(tmp_path.rglob("*"))


def test_the_letter_is_dated_today_and_lists_only_what_is_still_claimable(waiting, import_csv, monkeypatch):
    organisation, action = waiting
    laid_out = []
    monkeypatch.setattr(preview_module, "render_letter", lambda content: laid_out.append(content) or b"%PDF")
    load(import_csv, organisation, line("F-3", "C1", TODAY - timedelta(days=1), "50.00"), today=TODAY)
    with scope(organisation=organisation):
        dispute_open(
            organisation=organisation,
            invoice=Invoice.objects.get(number="F-2"),
            reason="price",
            on=TODAY,
            actor=None,
        )
        preview = letter_preview(organisation=organisation, action=action, today=TODAY)
    # F-2 disputed since planning; F-3 is new and the approver never saw it.
    assert preview.invoice_numbers == ("F-1",)
    [content] = laid_out
    assert content.letter_date == TODAY
    assert content.deadline == TODAY + timedelta(days=8)
    assert content.registered
    assert [i.number for i in content.invoices] == ["F-1"]
    assert content.totals.principal == Decimal("1200.00")


def test_the_preview_reads_the_books_again_each_time(waiting, monkeypatch):
    organisation, action = waiting
    monkeypatch.setattr(preview_module, "render_letter", lambda content: b"%PDF")
    with scope(organisation=organisation):
        assert letter_preview(organisation=organisation, action=action, today=TODAY).invoice_numbers == (
            "F-1",
            "F-2",
        )
        dispute_open(
            organisation=organisation,
            invoice=Invoice.objects.get(number="F-1"),
            reason="price",
            on=TODAY,
            actor=None,
        )
        assert letter_preview(organisation=organisation, action=action, today=TODAY).invoice_numbers == (
            "F-2",
        )


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"channel": "email"}, "not a letter"),
        ({"status": ActionStatus.CANCELLED}, "no longer waiting"),
        ({"status": ActionStatus.DISPATCHED}, "no longer waiting"),
        ({"invoice_ids": []}, "nothing left to pay"),
    ],
)
def test_there_is_no_preview_when_no_letter_would_leave(waiting, change, error):
    organisation, action = waiting
    with scope(organisation=organisation):
        Action.objects.filter(pk=action.pk).update(**change)
        with pytest.raises(PreviewError, match=error):
            letter_preview(organisation=organisation, action=Action.objects.get(pk=action.pk), today=TODAY)
