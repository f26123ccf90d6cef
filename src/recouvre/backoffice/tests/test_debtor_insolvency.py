"""A manager records (or clears) an insolvency judgment and a contractual rate on the debtor's
identity form; an agent's identity form neither shows nor changes them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope

from recouvre.audit.models import AuditEntry
from recouvre.ledger.domain.penalties import invoice_penalties
from recouvre.ledger.models import Debtor, Invoice
from recouvre.timeline.models import Event

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

IDENTITY = {
    "name": "Dupont Industrie",
    "debtor_type": "B2B",
    "segment": "PME",
    "siren": "732829320",
    "vat_number": "",
    "address": "12 rue des Lilas",
    "postcode": "69003",
    "city": "Lyon",
    "country": "FR",
    "language": "fr",
}


def dupont(organisation):
    with scope(organisation=organisation):
        return Debtor.objects.get(ref="411DUPONT")


def url(debtor):
    return reverse("backoffice:debtor-identity", args=[debtor.pk])


def events(organisation, kind):
    with scope(organisation=organisation):
        return list(Event.objects.filter(kind=kind))


def test_a_manager_records_the_opening_judgment_and_a_rate(signed_in, books, manager):
    debtor = dupont(books)
    page = signed_in.get(reverse("backoffice:debtor-detail", args=[debtor.pk])).content.decode()
    assert 'name="insolvency_since"' in page
    assert 'name="contractual_rate"' in page
    response = signed_in.post(
        url(debtor), {**IDENTITY, "insolvency_since": "2026-10-15", "contractual_rate": "12,5"}
    )
    assert response.status_code == 302
    debtor = dupont(books)
    assert (debtor.insolvency_since, debtor.contractual_rate) == (date(2026, 10, 15), Decimal("12.5"))
    [event] = events(books, "insolvency_recorded")
    assert event.actor == manager
    assert event.data["insolvency_since"] == "2026-10-15"
    with scope(organisation=books):
        entry = AuditEntry.objects.get(object_type="debtor", action="update")
        invoice = Invoice.objects.select_related("debtor").get(number="F-2026-001")
        assert invoice_penalties(invoice, date(2026, 11, 22)).fixed_indemnity == Decimal("0")
    assert entry.changes == {"insolvency_since": [None, "2026-10-15"], "contractual_rate": [None, "12.5"]}
    assert entry.channel == "web"
    body = signed_in.get(reverse("backoffice:debtor-detail", args=[debtor.pk])).content.decode()
    assert "jugement d'ouverture du 15/10/2026" in body
    assert "12,5 %" in body
    # A second click records nothing more.
    signed_in.post(url(debtor), {**IDENTITY, "insolvency_since": "2026-10-15", "contractual_rate": "12.5"})
    assert len(events(books, "insolvency_recorded")) == 1


def test_clearing_the_judgment_is_recorded_but_not_as_an_insolvency(signed_in, books):
    debtor = dupont(books)
    signed_in.post(url(debtor), {**IDENTITY, "insolvency_since": "2026-10-15"})
    assert signed_in.post(url(debtor), {**IDENTITY, "insolvency_since": ""}).status_code == 302
    assert dupont(books).insolvency_since is None
    assert len(events(books, "insolvency_recorded")) == 1
    cleared = [e for e in events(books, "debtor_updated") if "insolvency_since" in e.data["changes"]]
    assert [e.data["changes"]["insolvency_since"] for e in cleared] == [["2026-10-15", None]]


@pytest.mark.parametrize(
    ("values", "field_error"),
    [
        ({"insolvency_since": "2026-11-23"}, "après aujourd"),  # TODAY is 2026-11-22
        ({"contractual_rate": "0"}, "supérieur à 0"),
        ({"contractual_rate": "12.3456"}, "3"),
    ],
)
def test_refused_values_come_back_and_nothing_is_saved(signed_in, books, values, field_error):
    debtor = dupont(books)
    response = signed_in.post(url(debtor), {**IDENTITY, "name": "Autre nom", **values})
    assert response.status_code == 400
    assert field_error in response.content.decode()
    debtor = dupont(books)
    assert (debtor.name, debtor.insolvency_since, debtor.contractual_rate) == ("Dupont Industrie", None, None)


def test_an_agent_edits_the_identity_without_touching_insolvency_or_rate(
    client, books, organisation, make_user
):
    with scope(organisation=books):
        Debtor.objects.filter(ref="411DUPONT").update(
            insolvency_since=date(2026, 10, 15), contractual_rate=Decimal("20")
        )
    client.force_login(make_user(organisation, "agent"))
    debtor = dupont(books)
    page = client.get(reverse("backoffice:debtor-detail", args=[debtor.pk])).content.decode()
    assert 'name="insolvency_since"' not in page
    # Even if posted, the fields are not an agent's to change.
    response = client.post(
        url(debtor), {**IDENTITY, "city": "Villeurbanne", "insolvency_since": "", "contractual_rate": "1"}
    )
    assert response.status_code == 302
    debtor = dupont(books)
    assert (debtor.city, debtor.insolvency_since, debtor.contractual_rate) == (
        "Villeurbanne",
        date(2026, 10, 15),
        Decimal("20.000"),
    )
