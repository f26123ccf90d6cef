import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope
from django_scopes.exceptions import ScopeError

from recouvre.ledger.models import Debtor, Invoice
from recouvre.tenancy.domain.queries import OrganisationNotFound, organisation_resolve
from recouvre.tenancy.domain.services import (
    api_token_authenticate,
    api_token_create,
    organisation_create,
    role_allows,
    role_of,
    user_create,
)
from recouvre.tenancy.models import Membership

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

CSV = "invoice_number;debtor_ref;debtor_name;issue_date;due_date;amount\nF-1;411A;Alpha;2026-01-01;2026-02-01;10\n"


def test_a_business_query_outside_a_scope_fails_loudly(organisation):
    with pytest.raises(ScopeError):
        list(Debtor.objects.all())


def test_one_organisation_never_sees_another(organisation, other_organisation, import_csv):
    import_csv(organisation, CSV)
    with scope(organisation=other_organisation):
        assert Debtor.objects.count() == 0
        assert not Invoice.objects.filter(number="F-1").exists()
    with scope(organisation=organisation):
        assert Debtor.objects.get().invoices.count() == 1


def test_organisation_identifiers_are_checked():
    with pytest.raises(ValidationError) as exc:
        organisation_create(name="X", siren="123456789", iban="FR76 0000", bic="NOTABIC")
    assert set(exc.value.message_dict) == {"siren", "iban", "bic"}


@pytest.mark.django_db
def test_slugs_are_unique():
    assert organisation_create(name="Acme").slug == "acme"
    assert organisation_create(name="Acme").slug == "acme-2"


def test_roles_rank(organisation, make_user):
    agent = make_user(organisation, "agent")
    assert role_of(agent, organisation) == "agent"
    assert role_allows("agent", "viewer")
    assert role_allows("agent", "agent")
    assert not role_allows("agent", "manager")
    assert not role_allows(None, "viewer")


def test_a_user_may_hold_roles_in_several_organisations(organisation, other_organisation, make_user):
    user = make_user(organisation, "agent", email="marie@agence.fr")
    make_user(other_organisation, "manager", email="marie@agence.fr")
    assert dict(Membership.objects.filter(user=user).values_list("organisation__slug", "role")) == {
        organisation.slug: "agent",
        other_organisation.slug: "manager",
    }


def test_user_without_password_gets_an_invitation_email(organisation, settings, tmp_path):
    settings.EMAIL_OUTBOX_DIR = tmp_path
    settings.EMAIL_BACKEND = "recouvre.common.eml_backend.EmlFileBackend"
    user, invited = user_create(email="Nouveau@Acme.FR", role="viewer", organisation=organisation)
    assert invited
    assert user.email == "nouveau@acme.fr"
    assert not user.has_usable_password()
    [eml] = list(tmp_path.glob("*.eml"))
    content = eml.read_text()
    assert "To: nouveau@acme.fr" in content
    assert "/password/reset/" in content


def test_weak_password_and_unknown_role_refused(organisation):
    with pytest.raises(ValidationError, match="password"):
        user_create(email="a@b.fr", role="agent", organisation=organisation, password="123")
    with pytest.raises(ValidationError, match="not a role"):
        user_create(email="a@b.fr", role="boss", organisation=organisation, password="correct-horse-42")


def test_api_token_is_hashed_and_revocable(organisation, manager):
    token, key = api_token_create(user=manager, organisation=organisation)
    assert key.startswith("rcv_")
    assert key not in token.key_hash
    assert api_token_authenticate(key).user == manager
    assert api_token_authenticate(key + "x") is None
    Membership.objects.filter(user=manager).delete()
    assert api_token_authenticate(key) is None  # no role left: the token is worthless


def test_organisation_resolution(organisation, other_organisation):
    assert organisation_resolve(organisation.slug) == organisation
    with pytest.raises(OrganisationNotFound, match="several organisations"):
        organisation_resolve(None)
    with pytest.raises(OrganisationNotFound, match="no organisation with slug"):
        organisation_resolve("nope")
