"""In a real browser: signing in, finding a debtor, reading its page."""

from __future__ import annotations

import re

import pytest

from recouvre.backoffice.tests.browser.conftest import log_in
from recouvre.backoffice.tests.conftest import ACME_CSV

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(organisation, make_user, import_csv):
    assert import_csv(organisation, ACME_CSV).ok
    return {"manager": make_user(organisation, "manager"), "agent": make_user(organisation, "agent")}


def test_a_wrong_password_says_so_and_keeps_the_email(page, people):
    log_in(page, people["manager"].email, "not-the-password")
    assert page.get_by_role("alert").inner_text().startswith("Adresse e-mail ou mot de passe incorrect")
    assert page.get_by_label("Adresse e-mail").input_value() == people["manager"].email


def test_sign_in_then_find_and_open_a_debtor(page, people):
    log_in(page, people["manager"].email)
    assert "/login/" not in page.url
    page.get_by_role("link", name="Portefeuille").click()
    search = page.get_by_role("searchbox")
    # By invoice number: the table is swapped in place by htmx as one types.
    search.fill("F-2026-010")
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name=re.compile("Martin & Fils")).wait_for()
    assert page.get_by_role("link", name=re.compile("Dupont Industrie")).count() == 0
    search.fill("")
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name=re.compile("Dupont Industrie")).first.click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Dupont Industrie")
    # French amounts: a thousands separator (narrow no-break space) and a decimal comma.
    assert re.search(r"1\u202f?\s?234,56\s€", page.content().replace("&nbsp;", " "))
