"""The settings section "Échéanciers de paiement": the rules a plan is accepted within, and the grace."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope

from recouvre.audit.models import AuditEntry
from recouvre.tenancy.domain.organisation_settings import organisation_settings
from recouvre.tenancy.domain.settings import PlanRules

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

URL = reverse("backoffice:settings-plans")
RULES = {
    "max_instalments": "10",
    "min_instalment": "25,50",
    "max_first_delay_days": "45",
    "max_duration_months": "18",
    "grace_days": "3",
}


def test_the_overview_shows_the_defaults_and_links_for_a_manager(signed_in):
    body = signed_in.get(reverse("backoffice:settings")).content.decode()
    assert "Échéanciers de paiement" in body
    assert "6 échéances" in body
    assert "50,00\u00a0€ au moins chacune" in body
    assert "dans 30 jours au plus" in body
    assert "12 mois" in body
    assert "5 jours" in body
    assert URL in body


def test_a_manager_changes_the_rules(signed_in, organisation, manager):
    page = signed_in.get(URL)
    assert page.status_code == 200
    assert 'name="max_instalments" value="6"' in page.content.decode()
    assert 'aria-current="page">Échéanciers de paiement' in page.content.decode()
    response = signed_in.post(URL, RULES)
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:settings")
    organisation.refresh_from_db()
    assert organisation_settings(organisation).plans == PlanRules(10, Decimal("25.50"), 45, 18, 3)
    with scope(organisation=organisation):
        [entry] = AuditEntry.objects.filter(object_type="organisation")
    assert (entry.actor, entry.path) == (manager, URL)
    assert entry.changes["grace_days"] == [5, 3]
    body = signed_in.get(reverse("backoffice:settings")).content.decode()
    assert "10 échéances" in body
    assert "25,50\u00a0€ au moins chacune" in body
    assert "18 mois" in body


def test_a_bad_value_is_shown_next_to_its_field(signed_in, organisation):
    response = signed_in.post(URL, {**RULES, "min_instalment": "0", "grace_days": "45"})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_grace_days_error"' in body
    assert 'id="id_min_instalment_error"' in body
    organisation.refresh_from_db()
    assert organisation_settings(organisation).plans == PlanRules()


@pytest.mark.parametrize("role", ["agent", "viewer"])
def test_agents_and_viewers_may_not_change_them(client, organisation, make_user, role):
    client.force_login(make_user(organisation, role))
    assert URL not in client.get(reverse("backoffice:settings")).content.decode()
    assert client.get(URL).status_code == 403
    assert client.post(URL, RULES).status_code == 403
    organisation.refresh_from_db()
    assert organisation_settings(organisation).plans == PlanRules()
