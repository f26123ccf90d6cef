"""Identity and contact edits: checked and normalised as the import does, recorded, idempotent."""

from __future__ import annotations

import pytest
from django.utils import timezone

from recouvre.audit.models import AuditEntry
from recouvre.ledger.domain.contacts import (
    ContactInvalid,
    contact_add,
    contact_remove,
    contact_update,
    debtor_identity_update,
)
from recouvre.ledger.models import Contact, Debtor
from recouvre.timeline.models import Event

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

CSV = (
    "invoice_number;debtor_ref;debtor_name;debtor_email;debtor_phone;debtor_address;debtor_postcode;"
    "debtor_city;issue_date;due_date;amount\n"
    "F-1;411DUP;Dupont;compta@dupont.example;0612345678;1 rue A;69003;Lyon;2026-08-01;2026-09-30;100.00\n"
)


@pytest.fixture
def debtor(organisation, import_csv, in_scope, manager):
    assert import_csv(organisation, CSV).ok
    return Debtor.objects.get(ref="411DUP")


def identity(debtor, **changes):
    values = {f: getattr(debtor, f) for f in ("name", "debtor_type", "segment", "siren", "vat_number")}
    values |= {f: getattr(debtor, f) for f in ("address", "postcode", "city", "country", "language")}
    return values | changes


def test_identity_is_normalised_and_recorded_with_before_and_after(organisation, debtor, manager):
    changes = debtor_identity_update(
        organisation=organisation,
        debtor=debtor,
        values=identity(debtor, siren="732 829 320", vat_number="fr 44 732829320", segment="PME"),
        actor=manager,
    )
    debtor.refresh_from_db()
    assert (debtor.siren, debtor.vat_number, debtor.segment) == ("732829320", "FR44732829320", "PME")
    assert changes["siren"] == ["", "732829320"]
    event = Event.objects.get(kind="debtor_updated", debtor=debtor)
    assert event.actor == manager
    assert event.data["changes"]["segment"] == ["", "PME"]
    assert AuditEntry.objects.filter(object_type="debtor", action="update", debtor_id=debtor.pk).count() == 1
    # The same values again change nothing and record nothing.
    again = debtor_identity_update(
        organisation=organisation, debtor=debtor, values=identity(debtor), actor=manager
    )
    assert again == {}
    assert Event.objects.filter(kind="debtor_updated").count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"siren": "732829321"}, "siren"),  # Luhn check digit wrong
        ({"vat_number": "FR00123"}, "vat_number"),
        ({"siren": "732829320", "vat_number": "FR83404833048"}, "vat_number"),  # another company's VAT
        ({"name": "  "}, "name"),
        ({"country": "XX"}, "country"),
        ({"postcode": "6900"}, "postcode"),
        ({"debtor_type": "ALIEN"}, "debtor_type"),
    ],
)
def test_bad_identity_values_are_refused_field_by_field(organisation, debtor, manager, changes, field):
    with pytest.raises(ContactInvalid) as refused:
        debtor_identity_update(
            organisation=organisation, debtor=debtor, values=identity(debtor, **changes), actor=manager
        )
    assert field in refused.value.errors
    assert not Event.objects.filter(kind="debtor_updated").exists()


def test_a_phone_is_stored_in_e164_with_its_mobile_flag_and_an_email_lowercases_its_domain(
    organisation, debtor, manager
):
    phone = contact_add(
        organisation=organisation,
        debtor=debtor,
        kind="phone",
        value="04 78 12 34 56",
        name="Standard",
        actor=manager,
    )
    assert (phone.value, phone.is_mobile, phone.origin) == ("+33478123456", False, "manual")
    email = contact_add(
        organisation=organisation,
        debtor=debtor,
        kind="email",
        value="Paie@Dupont.EXAMPLE",
        name="",
        actor=manager,
    )
    assert email.value == "Paie@dupont.example"
    # A second click adds nothing.
    again = contact_add(
        organisation=organisation,
        debtor=debtor,
        kind="phone",
        value="+33 4 78 12 34 56",
        name="",
        actor=manager,
    )
    assert again.pk == phone.pk
    assert Event.objects.filter(kind="contact_changed").count() == 2


@pytest.mark.parametrize(("kind", "value"), [("email", "not-an-email"), ("phone", "12"), ("fax", "x")])
def test_invalid_contacts_are_refused(organisation, debtor, manager, kind, value):
    with pytest.raises(ContactInvalid):
        contact_add(organisation=organisation, debtor=debtor, kind=kind, value=value, name="", actor=manager)


def test_editing_an_invalid_email_checks_it_again_and_makes_it_usable(organisation, debtor, manager):
    contact = Contact.objects.get(debtor=debtor, kind="email")
    Contact.objects.filter(pk=contact.pk).update(invalid_since=timezone.now())
    contact.refresh_from_db()
    with pytest.raises(ContactInvalid):
        contact_update(organisation=organisation, contact=contact, value="compta@", name="", actor=manager)
    contact.refresh_from_db()
    assert contact.invalid_since is not None
    contact_update(
        organisation=organisation,
        contact=contact,
        value="compta@dupont.example",
        name="Mme Roux",
        actor=manager,
    )
    contact.refresh_from_db()
    assert (contact.invalid_since, contact.name) == (None, "Mme Roux")
    event = Event.objects.get(kind="contact_changed")
    assert event.data["changes"]["invalid_since"][1] is None


def test_a_contact_cannot_become_a_copy_of_another(organisation, debtor, manager):
    other = contact_add(
        organisation=organisation,
        debtor=debtor,
        kind="email",
        value="b@dupont.example",
        name="",
        actor=manager,
    )
    with pytest.raises(ContactInvalid):
        contact_update(
            organisation=organisation, contact=other, value="compta@dupont.example", name="", actor=manager
        )


def test_removing_twice_records_once(organisation, debtor, manager):
    contact = Contact.objects.get(debtor=debtor, kind="phone")
    contact_remove(organisation=organisation, contact=contact, actor=manager)
    contact_remove(organisation=organisation, contact=contact, actor=manager)
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert Event.objects.filter(kind="contact_changed").count() == 1
