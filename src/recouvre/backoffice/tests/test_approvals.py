"""Approvals: one notice with the letter as it would print today, approving one, a selection or a
whole page of 100, refusing one or a selection with a required reason kept in the timeline, and a
second click that changes nothing. (The list itself is also covered in test_actions.)"""

import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope

from recouvre.audit.models import AuditEntry
from recouvre.dunning.enums import ActionStatus
from recouvre.dunning.models import Action
from recouvre.ledger.models import Debtor, Invoice
from recouvre.testing.fixtures import TODAY
from recouvre.timeline.enums import EventKind
from recouvre.timeline.models import Event

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def notice(organisation, ref="411DUPONT", **fields):
    with scope(organisation=organisation):
        debtor = Debtor.objects.get(ref=ref)
        invoices = list(Invoice.objects.filter(debtor=debtor, due_date__lt=TODAY, status="open"))
        values = {
            "step": "formal_notice",
            "channel": "registered_letter",
            "status": ActionStatus.AWAITING_APPROVAL,
            "needs_approval": True,
            "scheduled_for": TODAY,
            "invoice_ids": [i.pk for i in invoices],
            "invoice_numbers": [i.number for i in invoices],
            "amount_due": sum((i.open_amount for i in invoices), Decimal("0")),
            **fields,
        }
        return Action.objects.create(organisation=organisation, debtor=debtor, **values)


def fresh(organisation, action):
    with scope(organisation=organisation):
        return Action.objects.get(pk=action.pk)


def text(response):
    return html.unescape(response.content.decode())


def events(organisation, kind):
    with scope(organisation=organisation):
        return list(Event.objects.filter(kind=kind).order_by("id"))


@pytest.fixture
def agent_client(client, books, make_user):
    client.force_login(make_user(books, "agent"))
    return client


# --- One notice and its preview -----------------------------------------------------------------------


def test_a_notice_page_shows_the_letter_in_a_frame_and_the_decision_forms(signed_in, books):
    first, second = notice(books), notice(books, "411MARTIN")
    response = signed_in.get(reverse("backoffice:approval-detail", args=[first.pk]))
    assert response.status_code == 200
    page = text(response)
    preview = reverse("backoffice:approval-preview", args=[first.pk])
    assert f'<iframe class="preview-frame" src="{preview}"' in page
    assert 'title="Aperçu PDF de la lettre pour Dupont Industrie"' in page
    assert "Approuver et passer à la suivante" in page
    assert f'name="next" value="{reverse("backoffice:approval-detail", args=[second.pk])}"' in page
    assert 'name="reason"' in page
    listing = text(signed_in.get(reverse("backoffice:approval-list")))
    assert reverse("backoffice:approval-detail", args=[first.pk]) in listing


def test_the_preview_is_the_pdf_as_it_would_print_today_and_nothing_is_stored(
    signed_in, books, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    action = notice(books)
    response = signed_in.get(reverse("backoffice:approval-preview", args=[action.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(b"%PDF")
    kept = fresh(books, action)
    assert (kept.status, kept.document, kept.letter, kept.body) == (
        ActionStatus.AWAITING_APPROVAL,
        "",
        {},
        "",
    )
    assert not any(tmp_path.rglob("*.pdf"))
    with scope(organisation=books):
        assert AuditEntry.objects.filter(object_type="action_preview", object_id=str(action.pk)).count() == 1


def test_a_notice_whose_invoices_are_all_disputed_since_has_no_preview(signed_in, books):
    with scope(organisation=books):
        disputed = Invoice.objects.get(number="F-2026-004")  # disputed in the books
    action = notice(books, invoice_ids=[disputed.pk], invoice_numbers=[disputed.number])
    response = signed_in.get(reverse("backoffice:approval-preview", args=[action.pk]))
    assert response.status_code == 409
    assert "Toutes les factures échues sont en litige ou suspendues" in text(response)


def test_a_notice_whose_invoices_are_all_paid_since_has_no_preview(signed_in, books):
    with scope(organisation=books):
        paid = Invoice.objects.get(number="F-2026-003")  # paid in the books
    action = notice(books, "411MARTIN", invoice_ids=[paid.pk], invoice_numbers=[paid.number])
    response = signed_in.get(reverse("backoffice:approval-preview", args=[action.pk]))
    assert response.status_code == 409
    assert "Plus rien à payer." in text(response)


def test_an_email_awaiting_approval_has_no_letter_to_preview(signed_in, books):
    action = notice(books, channel="email")
    page = text(signed_in.get(reverse("backoffice:approval-detail", args=[action.pk])))
    assert "Pas de lettre à prévisualiser pour ce canal (E-mail)." in page
    assert "<iframe" not in page
    assert signed_in.get(reverse("backoffice:approval-preview", args=[action.pk])).status_code == 409


def test_another_organisations_notice_is_a_404_for_its_page_and_its_preview(
    signed_in, books, other_organisation
):
    foreign = notice(other_organisation, "411SECRET")
    for name in ("approval-detail", "approval-preview"):
        assert signed_in.get(reverse(f"backoffice:{name}", args=[foreign.pk])).status_code == 404
    assert (
        signed_in.post(reverse("backoffice:approval-detail", args=[foreign.pk]), {"reason": "x"}).status_code
        == 404
    )
    assert fresh(other_organisation, foreign).status == ActionStatus.AWAITING_APPROVAL


def test_an_agent_reads_a_notice_but_cannot_decide(agent_client, books):
    action = notice(books)
    page = text(agent_client.get(reverse("backoffice:approval-detail", args=[action.pk])))
    assert "Seul un responsable crédit" in page
    assert "Approuver et passer" not in page
    assert (
        agent_client.post(
            reverse("backoffice:approval-detail", args=[action.pk]), {"reason": "non"}
        ).status_code
        == 403
    )
    assert (
        agent_client.post(
            reverse("backoffice:approvals-refuse"), {"action": [action.pk], "reason": "non"}
        ).status_code
        == 403
    )
    assert fresh(books, action).status == ActionStatus.AWAITING_APPROVAL


# --- Approving ---------------------------------------------------------------------------------------------


def test_approving_from_the_notice_page_goes_to_the_next_notice(signed_in, books, manager):
    first, second = notice(books), notice(books, "411MARTIN")
    following = reverse("backoffice:approval-detail", args=[second.pk])
    response = signed_in.post(
        reverse("backoffice:approvals-approve"), {"action": [first.pk], "next": following}
    )
    assert response["Location"] == following
    approved = fresh(books, first)
    assert (approved.status, approved.approved_by) == (ActionStatus.PLANNED, manager)
    assert fresh(books, second).status == ActionStatus.AWAITING_APPROVAL
    page = text(signed_in.get(reverse("backoffice:approval-detail", args=[first.pk])))
    assert "Approuvée par" in page


def test_a_hundred_notices_are_approved_in_one_post(signed_in, books):
    with scope(organisation=books):
        debtor = Debtor.objects.get(ref="411DUPONT")
        Action.objects.bulk_create(
            Action(
                organisation=books,
                debtor=debtor,
                step=f"formal_notice_{n}",
                channel="registered_letter",
                status=ActionStatus.AWAITING_APPROVAL,
                needs_approval=True,
                scheduled_for=TODAY,
            )
            for n in range(100)
        )
        ids = list(Action.objects.values_list("id", flat=True))
    listing = signed_in.get(reverse("backoffice:approval-list"))
    assert listing.context["page_ids"] == ids
    assert "Approuver les 100 actions de cette page" in text(listing)
    response = signed_in.post(reverse("backoffice:approvals-approve"), {"action": ids}, follow=True)
    assert "100 mises en demeure approuvées" in text(response)
    with scope(organisation=books):
        assert Action.objects.filter(status=ActionStatus.PLANNED).count() == 100
    assert len(events(books, EventKind.ACTION_APPROVED)) == 100


def test_a_second_post_of_the_same_approvals_does_nothing_twice(signed_in, books):
    first, second = notice(books), notice(books, "411MARTIN")
    data = {"action": [first.pk, second.pk]}
    signed_in.post(reverse("backoffice:approvals-approve"), data)
    approved_at = fresh(books, first).approved_at
    again = signed_in.post(reverse("backoffice:approvals-approve"), data, follow=True)
    assert "Rien n'a été approuvé" in text(again)
    assert fresh(books, first).approved_at == approved_at
    assert len(events(books, EventKind.ACTION_APPROVED)) == 2
    with scope(organisation=books):
        assert AuditEntry.objects.filter(action="approve").count() == 2


def test_a_forged_selection_is_a_bad_request(signed_in, books):
    action = notice(books)
    for name in ("approvals-approve", "approvals-refuse"):
        response = signed_in.post(reverse(f"backoffice:{name}"), {"action": [action.pk, "x"], "reason": "r"})
        assert response.status_code == 400
    assert fresh(books, action).status == ActionStatus.AWAITING_APPROVAL


def test_approving_takes_a_post_with_a_csrf_token(client, books, manager):
    action = notice(books)
    checked = type(client)(enforce_csrf_checks=True)
    checked.force_login(manager)
    assert checked.get(reverse("backoffice:approvals-approve")).status_code == 405
    assert checked.post(reverse("backoffice:approvals-approve"), {"action": [action.pk]}).status_code == 403
    assert fresh(books, action).status == ActionStatus.AWAITING_APPROVAL


# --- Refusing ----------------------------------------------------------------------------------------------


def test_refusing_a_selection_needs_a_reason_and_keeps_the_selection(signed_in, books):
    first, second = notice(books), notice(books, "411MARTIN")
    response = signed_in.post(reverse("backoffice:approvals-refuse"), {"action": [first.pk], "reason": "  "})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="bulk-reason-error" class="field-error">Indiquez la raison du refus.' in page
    assert re.search(rf'value="{first.pk}" id="approve-{first.pk}" form="approve-form" checked\s', page)
    assert re.search(rf'value="{second.pk}" id="approve-{second.pk}" form="approve-form"\s+aria-label', page)
    assert fresh(books, first).status == ActionStatus.AWAITING_APPROVAL


def test_refusing_a_selection_cancels_each_with_the_reason_in_the_timeline(signed_in, books, manager):
    first, second = notice(books), notice(books, "411MARTIN")
    kept = notice(books, step="formal_notice_bis")
    response = signed_in.post(
        reverse("backoffice:approvals-refuse"),
        {"action": [first.pk, second.pk], "reason": "Plan de paiement signé"},
        follow=True,
    )
    assert "2 actions refusées : Plan de paiement signé" in text(response)
    for action in (first, second):
        refused = fresh(books, action)
        assert (refused.status, refused.status_reason) == (ActionStatus.CANCELLED, "Plan de paiement signé")
    assert fresh(books, kept).status == ActionStatus.AWAITING_APPROVAL
    cancelled = events(books, EventKind.ACTION_CANCELLED)
    assert [(e.debtor_id, e.actor, e.data["reason"]) for e in cancelled] == [
        (first.debtor_id, manager, "Plan de paiement signé"),
        (second.debtor_id, manager, "Plan de paiement signé"),
    ]
    assert "Plan de paiement signé" in cancelled[0].summary
    debtor_page = text(signed_in.get(reverse("backoffice:debtor-detail", args=[first.debtor_id])))
    assert "Plan de paiement signé" in debtor_page


def test_refusing_a_stale_selection_refuses_nothing(signed_in, books):
    waiting = notice(books)
    approved = notice(books, "411MARTIN", status=ActionStatus.PLANNED)
    response = signed_in.post(
        reverse("backoffice:approvals-refuse"),
        {"action": [waiting.pk, approved.pk], "reason": "non"},
        follow=True,
    )
    assert "Rien n'a été refusé" in text(response)
    assert fresh(books, waiting).status == ActionStatus.AWAITING_APPROVAL
    assert fresh(books, approved).status == ActionStatus.PLANNED
    assert events(books, EventKind.ACTION_CANCELLED) == []


def test_refusing_from_the_notice_page_needs_a_reason_then_goes_to_the_next(signed_in, books):
    first, second = notice(books), notice(books, "411MARTIN")
    url = reverse("backoffice:approval-detail", args=[first.pk])
    empty = signed_in.post(url, {"reason": ""})
    assert empty.status_code == 400
    assert 'id="reason-error" class="field-error">Indiquez la raison du refus.' in empty.content.decode()
    assert 'aria-invalid="true" aria-describedby="reason-error"' in empty.content.decode()
    done = signed_in.post(url, {"reason": "Client en redressement"})
    assert done["Location"] == reverse("backoffice:approval-detail", args=[second.pk])
    assert fresh(books, first).status_reason == "Client en redressement"
    again = signed_in.post(url, {"reason": "Autre raison"}, follow=True)
    assert "n'attend plus d'approbation" in text(again)
    assert fresh(books, first).status_reason == "Client en redressement"
    assert len(events(books, EventKind.ACTION_CANCELLED)) == 1
