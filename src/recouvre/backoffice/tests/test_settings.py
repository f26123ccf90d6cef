"""The settings pages: identity and letterhead, bank, sender, contact rules, users and roles."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse
from django_scopes import scope

from recouvre.audit.models import AuditEntry
from recouvre.dunning.domain.rules import caps_of, organisation_calendar
from recouvre.law.domain.calendar import Calendar
from recouvre.tenancy.models import Membership

CONTACT = {
    "contact_start": "08:30",
    "contact_end": "18:00",
    "plan_at": "07:45",
    "cap_per_day": "1",
    "cap_per_week": "3",
    "holidays_zone": "FR-57",
}


@pytest.fixture
def admin(organisation, make_user):
    return make_user(organisation, "admin")


@pytest.fixture
def as_admin(client, admin):
    client.force_login(admin)
    return client


def audits(organisation, **filters):
    with scope(organisation=organisation):
        return list(AuditEntry.objects.filter(**filters))


def test_every_member_reads_the_overview_with_links_for_their_role(client, organisation, make_user):
    client.force_login(make_user(organisation, "viewer"))
    response = client.get(reverse("backoffice:settings"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Acme Industrie" in body
    assert "FR76 3000 6000 0112 3456 7890 189" in body
    assert "1 message par jour" in body
    assert "2 sur 7 jours glissants" in body
    assert reverse("backoffice:settings-identity") not in body
    assert reverse("backoffice:settings-contact") not in body


def test_a_manager_edits_contact_rules_but_not_identity_bank_sender_or_members(signed_in):
    body = signed_in.get(reverse("backoffice:settings")).content.decode()
    assert reverse("backoffice:settings-contact") in body
    assert reverse("backoffice:settings-bank") not in body
    for name in ("settings-identity", "settings-bank", "settings-sender", "settings-members"):
        assert signed_in.get(reverse(f"backoffice:{name}")).status_code == 403
        assert signed_in.post(reverse(f"backoffice:{name}"), {"name": "X", "iban": ""}).status_code == 403


def test_contact_rules_saved_change_what_dunning_reads(signed_in, organisation, manager):
    page = signed_in.get(reverse("backoffice:settings-contact"))
    assert page.status_code == 200
    assert 'value="09:00"' in page.content.decode()
    assert "Assomption" in page.content.decode()
    response = signed_in.post(reverse("backoffice:settings-contact"), CONTACT)
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:settings")
    organisation.refresh_from_db()
    assert caps_of(organisation).per_week == 3
    assert organisation_calendar(organisation) == Calendar("FR", "57")
    assert organisation.settings["dunning"]["plan_at"] == "07:45"
    [entry] = audits(organisation, object_type="organisation")
    assert entry.channel == "web"
    assert entry.actor == manager
    assert entry.path == reverse("backoffice:settings-contact")
    assert entry.ip == "127.0.0.1"
    # A second click saves nothing more.
    signed_in.post(reverse("backoffice:settings-contact"), CONTACT)
    assert len(audits(organisation, object_type="organisation")) == 1


def test_bad_contact_rules_are_shown_next_to_the_fields_with_what_was_typed(signed_in, organisation):
    data = CONTACT | {"cap_per_day": "2", "cap_per_week": "1", "contact_end": "07:00"}
    response = signed_in.post(reverse("backoffice:settings-contact"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_cap_per_week_error"' in body
    assert 'id="id_contact_end_error"' in body
    assert 'aria-invalid="true"' in body
    assert 'value="07:00"' in body
    organisation.refresh_from_db()
    assert "dunning" not in organisation.settings
    response = signed_in.post(reverse("backoffice:settings-contact"), CONTACT | {"cap_per_day": "0"})
    assert response.status_code == 400
    assert 'id="id_cap_per_day_error"' in response.content.decode()
    response = signed_in.post(reverse("backoffice:settings-contact"), CONTACT | {"holidays_zone": "FR-99"})
    assert response.status_code == 400
    assert 'id="id_holidays_zone_error"' in response.content.decode()


def test_the_holidays_of_a_zone_this_year(signed_in):
    response = signed_in.get(reverse("backoffice:settings-holidays"), {"holidays_zone": "FR-6AE"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Jours fériés en 2026" in body
    assert "03/04/2026" in body
    assert "26/12/2026" in body
    mainland = signed_in.get(reverse("backoffice:settings-holidays"), {"holidays_zone": ""}).content.decode()
    assert "26/12/2026" not in mainland
    assert "France métropolitaine" in mainland


def test_an_admin_edits_identity_with_a_checked_siren(as_admin, organisation):
    data = {"name": "Acme SAS", "siren": "732829321", "address": "1 rue de la Paix", "postcode": "75002"}
    response = as_admin.post(reverse("backoffice:settings-identity"), data | {"city": "Paris"})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_siren_error"' in body
    assert 'value="Acme SAS"' in body
    organisation.refresh_from_db()
    assert organisation.name == "Acme Industrie"
    data |= {"siren": "732829320", "city": "Paris", "phone": "0123456789", "signature": "Marie Curie"}
    assert as_admin.post(reverse("backoffice:settings-identity"), data).status_code == 302
    organisation.refresh_from_db()
    assert (organisation.name, organisation.city) == ("Acme SAS", "Paris")
    assert organisation.settings["signature"] == "Marie Curie"
    assert organisation.settings["phone"] == "+33 1 23 45 67 89"


def test_an_admin_sets_the_iban_and_the_bic_is_derived_or_checked(as_admin, organisation):
    url = reverse("backoffice:settings-bank")
    response = as_admin.post(url, {"iban": "FR76 3000 4000 0312 3456 7890 143", "bic": "SOGEFRPP"})
    assert response.status_code == 400
    assert 'id="id_bic_error"' in response.content.decode()
    response = as_admin.post(url, {"iban": "FR76 3000 4000 0312 3456 7890 144", "bic": ""})
    assert response.status_code == 400
    assert 'id="id_iban_error"' in response.content.decode()
    assert as_admin.post(url, {"iban": "FR76 3000 4000 0312 3456 7890 143", "bic": ""}).status_code == 302
    organisation.refresh_from_db()
    assert (organisation.iban, organisation.bic) == ("FR7630004000031234567890143", "BNPAFRPP")


def test_an_admin_sets_reply_to_and_sender(as_admin, organisation):
    url = reverse("backoffice:settings-sender")
    response = as_admin.post(url, {"email": "pas une adresse", "sender_email": ""})
    assert response.status_code == 400
    assert 'id="id_email_error"' in response.content.decode()
    data = {"email": "Compta@Acme.example", "sender_email": "relances@acme.example"}
    assert as_admin.post(url, data).status_code == 302
    organisation.refresh_from_db()
    assert organisation.email == "compta@acme.example"
    assert organisation.settings["sender_email"] == "relances@acme.example"


def test_members_page_invites_once(as_admin, organisation):
    page = as_admin.get(reverse("backoffice:settings-members"))
    assert page.status_code == 200
    assert "admin@acme-industrie.example" in page.content.decode()
    url = reverse("backoffice:settings-members")
    response = as_admin.post(url, {"email": "nouveau@example.fr", "role": "agent"})
    assert response.status_code == 302
    assert Membership.objects.get(organisation=organisation, user__email="nouveau@example.fr").role == "agent"
    assert mail.outbox[-1].to == ["nouveau@example.fr"]
    again = as_admin.post(url, {"email": "nouveau@example.fr", "role": "admin"})
    assert again.status_code == 400
    assert "déjà membre" in again.content.decode()
    assert len(mail.outbox) == 1
    bad = as_admin.post(url, {"email": "nope", "role": "boss"})
    assert bad.status_code == 400
    assert 'id="id_email_error"' in bad.content.decode()
    assert 'id="id_role_error"' in bad.content.decode()


def test_an_admin_changes_a_role_and_removes_a_member(as_admin, organisation, manager):
    pk = Membership.objects.get(user=manager).pk
    response = as_admin.post(reverse("backoffice:settings-member-role", args=[pk]), {"role": "viewer"})
    assert response.status_code == 302
    assert Membership.objects.get(pk=pk).role == "viewer"
    remove = reverse("backoffice:settings-member-remove", args=[pk])
    assert as_admin.post(remove).status_code == 302
    assert not Membership.objects.filter(pk=pk).exists()
    assert as_admin.post(remove).status_code == 404  # the second click: nothing left to remove
    assert len(audits(organisation, object_type="membership", action="delete")) == 1


def test_the_last_admin_cannot_demote_or_remove_themselves(as_admin, admin, organisation):
    pk = Membership.objects.get(user=admin).pk
    response = as_admin.post(
        reverse("backoffice:settings-member-role", args=[pk]), {"role": "agent"}, follow=True
    )
    assert "au moins un administrateur" in response.content.decode()
    as_admin.post(reverse("backoffice:settings-member-remove", args=[pk]))
    assert Membership.objects.get(pk=pk).role == "admin"


def test_another_organisations_member_is_out_of_reach(as_admin, other_organisation, make_user):
    stranger = make_user(other_organisation, "agent")
    pk = Membership.objects.get(user=stranger).pk
    assert as_admin.post(reverse("backoffice:settings-member-remove", args=[pk])).status_code == 404
    response = as_admin.post(reverse("backoffice:settings-member-role", args=[pk]), {"role": "admin"})
    assert response.status_code == 404
    assert Membership.objects.get(pk=pk).role == "agent"
    body = as_admin.get(reverse("backoffice:settings-members")).content.decode()
    assert stranger.email not in body


def test_settings_pages_in_english(as_admin):
    as_admin.post(reverse("backoffice:set_language"), {"language": "en"})
    response = as_admin.get(reverse("backoffice:settings-contact"))
    assert response.status_code == 200
    assert "Assumption" in response.content.decode()


def _link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/password/reset/\S+/\S+/)", message.body).group(1)


def _choose_password(client, link: str, password: str):
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    return client.post(
        form_page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}, follow=True
    )


def test_an_invited_person_chooses_a_password_and_signs_in_with_their_role(as_admin, client, organisation):
    as_admin.post(reverse("backoffice:settings-members"), {"email": "camille@example.fr", "role": "agent"})
    as_admin.logout()
    done = _choose_password(client, _link_in(mail.outbox[-1]), "camille-choisit-2026")
    assert "Mot de passe enregistré" in done.content.decode()
    signed = client.post(
        reverse("backoffice:login"), {"username": "camille@example.fr", "password": "camille-choisit-2026"}
    )
    assert signed.status_code == 302
    page = client.get(reverse("backoffice:settings"))
    assert page.status_code == 200
    assert "Acme Industrie" in page.content.decode()
    assert client.get(reverse("backoffice:settings-contact")).status_code == 403  # an agent


def test_forgotten_password_end_to_end_from_the_login_page(client, manager):
    login = client.get(reverse("backoffice:login")).content.decode()
    assert f'href="{reverse("backoffice:password-reset")}"' in login
    client.post(reverse("backoffice:password-reset"), {"email": manager.email.upper()})
    link = _link_in(mail.outbox[-1])
    _choose_password(client, link, "tout-nouveau-2026")
    assert not client.login(username=manager.email, password="correct-horse-42")
    assert client.login(username=manager.email, password="tout-nouveau-2026")
    client.logout()
    # The link served once; it does not work a second time.
    assert not client.get(link, follow=True).context["validlink"]
