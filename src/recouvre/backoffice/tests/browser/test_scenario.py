"""In a real browser: a manager moves the scenario's formal notice later; the next plan follows it."""

from __future__ import annotations

import re

import pytest
from django_scopes import scope

from recouvre.backoffice.tests.browser.conftest import log_in
from recouvre.dunning.domain.scenarios import scenario_defaults_ensure
from recouvre.dunning.models import ScenarioStep

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_edit_a_scenario_step(page, organisation, manager):
    with scope(organisation=organisation):
        scenario = scenario_defaults_ensure(organisation=organisation)
        notice = ScenarioStep.objects.get(scenario=scenario, code="formal_notice")
    assert notice.day == 35
    log_in(page, manager.email)
    page.get_by_role("link", name="Scénarios").click()
    page.get_by_role("link", name=scenario.name).click()
    page.get_by_role("link", name=re.compile(r"^Modifier l.étape .*\(jour 35\)")).click()
    page.locator("#id_day").fill("40")
    page.get_by_role("button", name=re.compile("Enregistrer l.étape")).click()
    page.wait_for_load_state("networkidle")
    # Back on the scenario, its row says day 40; so does the database the planner reads.
    assert "40" in page.locator(f"#step-{notice.pk}").inner_text()
    with scope(organisation=organisation):
        notice.refresh_from_db()
    assert notice.day == 40
    assert notice.needs_approval
    # Taking the approval away from a formal notice is refused, next to the box, and nothing changes.
    page.get_by_role("link", name=re.compile(r"^Modifier l.étape .*\(jour 40\)")).click()
    page.locator("#id_needs_approval").uncheck()
    page.get_by_role("button", name=re.compile("Enregistrer l.étape")).click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#id_needs_approval").get_attribute("aria-invalid") == "true"
    with scope(organisation=organisation):
        notice.refresh_from_db()
    assert notice.needs_approval
