"""The settings section "Pénalités et imputation": interest first, contractual rate, divisor."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope

from recouvre.audit.models import AuditEntry
from recouvre.tenancy.domain.organisation_settings import organisation_settings
from recouvre.tenancy.domain.settings import LawSettings

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

URL = reverse("backoffice:settings-law")


def test_the_overview_shows_the_defaults_and_links_for_a_manager(signed_in):
    body = signed_in.get(reverse("backoffice:settings")).content.decode()
    assert "Pénalités et imputation" in body
    assert "sur le principal" in body
    assert "taux BCE + 10 points" in body
    assert "365 jours" in body
    assert URL in body


def test_a_manager_turns_interest_first_on_and_sets_a_rate(signed_in, organisation, manager):
    page = signed_in.get(URL).content.decode()
    assert "1343-1" in page
    assert 'name="interest_first"' in page
    response = signed_in.post(URL, {"interest_first": "on", "contractual_rate": "12,5", "divisor": "360"})
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:settings")
    organisation.refresh_from_db()
    assert organisation_settings(organisation).law == LawSettings(True, Decimal("12.5"), 360)
    with scope(organisation=organisation):
        [entry] = AuditEntry.objects.filter(object_type="organisation")
    assert (entry.actor, entry.path, entry.channel) == (manager, URL, "web")
    assert entry.changes["interest_first"] == [False, True]
    body = signed_in.get(reverse("backoffice:settings")).content.decode()
    assert "intérêts de retard d'abord" in body
    assert "contractuel : 12,5 % l'an" in body
    assert "360 jours" in body
    # Unticked and emptied: back to principal only and the legal rate.
    assert signed_in.post(URL, {"contractual_rate": "", "divisor": "365"}).status_code == 302
    organisation.refresh_from_db()
    assert organisation_settings(organisation).law == LawSettings()


def test_a_bad_rate_is_shown_next_to_its_field(signed_in, organisation):
    response = signed_in.post(URL, {"interest_first": "on", "contractual_rate": "150", "divisor": "365"})
    assert response.status_code == 400
    assert "inférieur à 100" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation_settings(organisation).law == LawSettings()


@pytest.mark.parametrize("role", ["agent", "viewer"])
def test_agents_and_viewers_may_not_change_it(client, organisation, make_user, role):
    client.force_login(make_user(organisation, role))
    assert URL not in client.get(reverse("backoffice:settings")).content.decode()
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"interest_first": "on", "divisor": "365"}).status_code == 403
    organisation.refresh_from_db()
    assert organisation_settings(organisation).law.interest_first is False


def test_an_interest_share_is_marked_on_the_invoice_and_debtor_pages(signed_in, books):
    """With interest first on, the pages say which part of a payment went to interest."""
    from datetime import date
    from decimal import Decimal

    from django.urls import reverse
    from django_scopes import scope

    from recouvre.ledger.domain.services import payment_record
    from recouvre.ledger.models import Invoice

    books.settings = {**(books.settings or {}), "law": {"interest_first": True}}
    books.save(update_fields=["settings"])
    with scope(organisation=books):
        invoice = Invoice.objects.filter(open_amount__gt=0, due_date__lt=date(2026, 10, 1)).first()
        payment_record(
            organisation=books,
            debtor=invoice.debtor,
            invoice=invoice,
            amount=Decimal("10.00"),
            on=date(2026, 11, 20),
            actor=None,
        )
    page = signed_in.get(reverse("backoffice:invoice-detail", args=[invoice.pk])).content.decode()
    assert "sur les intérêts" in page
    debtor_page = signed_in.get(
        reverse("backoffice:debtor-detail", args=[invoice.debtor_id])
    ).content.decode()
    assert "intérêts)" in debtor_page
