"""An agency organisation names its client creditor; its letters print it (CPCE R124-4)."""

import pytest
from django.urls import reverse
from django_scopes import scope

from recouvre.audit.models import AuditEntry
from recouvre.tenancy.domain.agency import agency_client_read

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def agency(books):
    books.is_agency = True
    books.save(update_fields=["is_agency"])
    return books


def test_the_client_creditor_is_saved_checked_and_audited(client, agency, make_user):
    client.force_login(make_user(agency, "admin"))
    url = reverse("backoffice:settings-agency")
    assert "Agence : créancier mandant" in client.get(url).content.decode()
    refused = client.post(url, {"client_name": "Fonderies du Rhône SA", "client_address": ""})
    assert refused.status_code == 400
    agency.refresh_from_db()
    assert agency_client_read(agency.settings).name == ""
    saved = client.post(
        url, {"client_name": "Fonderies du Rhône SA", "client_address": "4 rue des Forges\n69007 Lyon"}
    )
    assert saved.status_code == 302
    agency.refresh_from_db()
    client_creditor = agency_client_read(agency.settings)
    assert client_creditor.name == "Fonderies du Rhône SA"
    assert client_creditor.address_lines == ("4 rue des Forges", "69007 Lyon")
    with scope(organisation=agency):
        entry = AuditEntry.objects.filter(object_type="organisation").order_by("-id").first()
    assert entry.changes["client_name"] == ["", "Fonderies du Rhône SA"]


def test_a_creditor_organisation_has_no_agency_section(client, books, make_user):
    client.force_login(make_user(books, "admin"))
    assert client.get(reverse("backoffice:settings-agency")).status_code == 404
    assert "Agence : créancier mandant" not in client.get(reverse("backoffice:settings")).content.decode()


def test_a_manager_cannot_change_it(client, agency, make_user):
    client.force_login(make_user(agency, "manager"))
    assert (
        client.post(
            reverse("backoffice:settings-agency"), {"client_name": "X", "client_address": "Y"}
        ).status_code
        == 403
    )
