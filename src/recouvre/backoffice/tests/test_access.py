"""Who may see what: sign-in, membership, the organisation scope and switching organisations."""

import re

import pytest
from django.core import mail
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django_scopes.exceptions import ScopeError

from recouvre.backoffice.middleware import SESSION_KEY, OrganisationMiddleware
from recouvre.ledger.models import Debtor
from recouvre.tenancy.domain.services import user_create

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.mark.parametrize("path", ["/debtors/", "/debtors/1/", "/"])
def test_pages_need_a_signed_in_user(client, path):
    response = client.get(path, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("backoffice:login"))
    assert b'name="password"' in response.content


def test_signing_in_leads_to_the_today_page(client, manager, books):
    page = client.get(reverse("backoffice:login"))
    assert page.status_code == 200
    assert 'lang="fr"' in page.content.decode()
    assert '<label for="id_username">Adresse e-mail</label>' in page.content.decode()
    response = client.post(
        reverse("backoffice:login"), {"username": manager.email, "password": "correct-horse-42"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("backoffice:home")
    assert "À traiter aujourd" in response.content.decode()


def test_a_wrong_password_is_refused_with_a_message(client, manager):
    response = client.post(
        reverse("backoffice:login"), {"username": manager.email, "password": "nope-nope-nope"}
    )
    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_signs_out(signed_in):
    response = signed_in.post(reverse("backoffice:logout"))
    assert response.status_code == 302
    assert signed_in.get("/debtors/").status_code == 302


def test_a_user_without_membership_sees_no_data(client, books, django_user_model):
    loner = django_user_model.objects.create_user("loner@example.fr", "correct-horse-42")
    client.force_login(loner)
    response = client.get("/debtors/")
    assert response.status_code == 403
    assert "Dupont" not in response.content.decode()
    assert "Aucune organisation" in response.content.decode()


def test_a_viewer_can_read(client, organisation, make_user, books):
    client.force_login(make_user(organisation, "viewer"))
    response = client.get("/debtors/")
    assert response.status_code == 200
    assert "Dupont Industrie" in response.content.decode()


def test_an_anonymous_request_gets_no_scope_so_business_queries_fail_loudly(db):
    from django.contrib.auth.models import AnonymousUser

    seen = {}

    def view(request):
        seen["organisation"] = request.organisation
        with pytest.raises(ScopeError):
            list(Debtor.objects.all())
        return HttpResponse("ok")

    request = RequestFactory().get("/debtors/")
    request.user = AnonymousUser()
    assert OrganisationMiddleware(view)(request).content == b"ok"
    assert seen == {"organisation": None}


@pytest.fixture
def two_hats(organisation, other_organisation, books):
    """A collector working for both creditors: manager at Acme, viewer at Bêta."""
    user, _ = user_create(
        email="both@example.fr", role="manager", organisation=organisation, password="correct-horse-42"
    )
    user_create(email="both@example.fr", role="viewer", organisation=other_organisation)
    return user


def test_the_first_membership_is_the_default_and_another_can_be_chosen(client, two_hats, other_organisation):
    client.force_login(two_hats)
    first = client.get("/debtors/").content.decode()
    assert "Dupont Industrie" in first
    assert "Secret Bêta SARL" not in first
    assert 'name="organisation"' in first  # the switch is offered to people with several memberships

    response = client.post(
        reverse("backoffice:organisation-switch"), {"organisation": other_organisation.pk}, follow=True
    )
    page = response.content.decode()
    assert "Secret Bêta SARL" in page
    assert "Dupont Industrie" not in page
    assert response.context["request"].role == "viewer"


def test_switching_to_an_organisation_without_membership_is_refused(
    client, manager, other_organisation, books
):
    client.force_login(manager)
    response = client.post(reverse("backoffice:organisation-switch"), {"organisation": other_organisation.pk})
    assert response.status_code == 400
    assert client.session.get(SESSION_KEY) != other_organisation.pk
    assert "Secret" not in client.get("/debtors/").content.decode()


def test_a_forged_session_choice_falls_back_to_a_real_membership(client, manager, other_organisation, books):
    client.force_login(manager)
    session = client.session
    session[SESSION_KEY] = other_organisation.pk
    session.save()
    page = client.get("/debtors/").content.decode()
    assert "Secret" not in page
    assert "Dupont Industrie" in page


def test_password_reset_mails_a_link_that_lets_an_invited_user_choose_a_password(
    client, organisation, settings
):
    settings.BASE_URL = "https://recouvre.example"
    user, invited = user_create(email="new@example.fr", role="agent", organisation=organisation)
    assert invited
    mail.outbox.clear()

    response = client.post(reverse("backoffice:password-reset"), {"email": "new@example.fr"}, follow=True)
    assert "Vérifiez votre messagerie" in response.content.decode()
    assert len(mail.outbox) == 1
    link = re.search(r"https://recouvre\.example(/password/reset/\S+/\S+/)", mail.outbox[0].body).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "un-nouveau-secret-2026", "new_password2": "un-nouveau-secret-2026"},
        follow=True,
    )
    assert "Mot de passe enregistré" in done.content.decode()
    user.refresh_from_db()
    assert user.check_password("un-nouveau-secret-2026")


def test_password_reset_never_mails_a_built_in_actor(client, db):
    from recouvre.tenancy.domain.services import system_user

    system_user()
    client.post(reverse("backoffice:password-reset"), {"email": "cli@recouvre.invalid"})
    assert mail.outbox == []


def test_the_interface_switches_to_english(signed_in, books):
    response = signed_in.post(
        reverse("backoffice:set_language"), {"language": "en", "next": "/debtors/"}, follow=True
    )
    page = response.content.decode()
    assert 'lang="en"' in page
    assert "Debtors" in page
    assert "1,314.56\xa0€" in page


def test_the_403_page_names_the_role_needed_and_the_persons_own(client, organisation, make_user):
    client.force_login(make_user(organisation, "viewer"))
    response = client.post(reverse("backoffice:approvals-approve"), {"action": []})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Elle demande au moins le rôle « Responsable crédit » ; le vôtre est « Lecteur »." in page
