"""In a real browser: a collector records a call that ends in a promise to pay; a manager reads a formal
notice's PDF preview and approves it."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django_scopes import scope

from recouvre.arrangements.models import Promise
from recouvre.backoffice.tests.browser.conftest import log_in
from recouvre.backoffice.tests.conftest import ACME_CSV
from recouvre.backoffice.tests.test_approvals import notice
from recouvre.dunning.enums import ActionStatus
from recouvre.dunning.models import Action
from recouvre.ledger.models import Debtor
from recouvre.timeline.models import Event

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def books(organisation, import_csv):
    assert import_csv(organisation, ACME_CSV).ok
    return organisation


def test_a_call_that_ends_in_a_promise(page, books, make_user):
    agent = make_user(books, "agent")
    with scope(organisation=books):
        dupont = Debtor.objects.get(ref="411DUPONT")
    log_in(page, agent.email)
    page.goto(f"/debtors/{dupont.pk}/")
    page.get_by_text("Enregistrer un appel").click()
    # The call's own form: the page also has a promise form with the same labels.
    call = page.locator("form[action$='/call/']")
    call.get_by_label("Issue de l'appel").select_option(label="Promesse de paiement")
    call.get_by_label("Compte rendu").fill("Le comptable confirme un virement début décembre.")
    call.get_by_label("Montant promis").fill("1 234,56")
    call.get_by_label("Date promise").fill("2026-12-04")
    call.get_by_role("button", name="Enregistrer l’appel").click()  # noqa: RUF001 (the label's typographic apostrophe)
    page.wait_for_load_state("networkidle")
    # Back on the debtor page, the timeline says it; the database holds the promise.
    timeline = page.locator("#timeline, [aria-labelledby=timeline-title]").first
    assert "Le comptable confirme un virement début décembre." in timeline.inner_text()
    assert re.search(r"1\s234,56", timeline.inner_text())
    with scope(organisation=books):
        promise = Promise.objects.get(debtor=dupont)
        assert promise.amount == Decimal("1234.56")
        assert promise.promised_date.isoformat() == "2026-12-04"
        assert promise.created_by == agent
        assert Event.objects.filter(debtor=dupont, kind="promise_made").count() == 1


def test_a_manager_previews_and_approves_a_formal_notice(page, books, manager):
    action = notice(books)
    log_in(page, manager.email)
    page.get_by_role("link", name=re.compile("À approuver")).first.click()
    page.get_by_role("link", name=re.compile("Voir la lettre")).first.click()
    page.wait_for_load_state("networkidle")
    frame = page.frame_locator("iframe.preview-frame")
    assert frame is not None
    # The preview is the letter as a PDF, served to a frame of the same site.
    preview = page.locator("iframe.preview-frame").get_attribute("src")
    response = page.request.get(preview)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    page.get_by_role("button", name=re.compile("^Approuver")).click()
    page.wait_for_load_state("networkidle")
    with scope(organisation=books):
        approved = Action.objects.get(pk=action.pk)
    assert approved.approved_by == manager
    assert approved.status == ActionStatus.PLANNED
