"""Organisation settings and memberships: the services behind the back office's settings pages."""

from __future__ import annotations

from datetime import time

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from recouvre.audit.domain.services import audit_record
from recouvre.audit.models import AuditEntry
from recouvre.dunning.domain.rules import caps_of, organisation_calendar
from recouvre.dunning.domain.runner import contact_hours
from recouvre.law.domain.calendar import Calendar
from recouvre.tenancy.domain.members import (
    MembershipNotFound,
    member_invite,
    membership_remove,
    membership_role_change,
)
from recouvre.tenancy.domain.organisation_settings import (
    organisation_settings,
    organisation_settings_update,
)
from recouvre.tenancy.domain.settings import (
    ContactRules,
    contact_rules_problems,
    settings_read,
    settings_write,
)
from recouvre.tenancy.models import Membership, Organisation

EIGHT = time(8, 0)

# Audit entries are business rows, read inside the organisation's scope as a request would.
pytestmark = pytest.mark.usefixtures("in_scope")


@pytest.fixture
def admin(organisation, make_user):
    return make_user(organisation, "admin")


def update(organisation, actor, **changes):
    return organisation_settings_update(
        organisation=organisation, changes=changes, actor=actor, audit=audit_record
    )


# --- typed settings, pure -------------------------------------------------------------------------


def test_reading_empty_settings_gives_the_dunning_defaults() -> None:
    typed = settings_read({}, default_plan_at=EIGHT)
    assert typed.contact == ContactRules(EIGHT, time(9), time(19), 1, 2)
    assert (typed.holidays_zone, typed.phone, typed.signature, typed.sender_email) == ("", "", "", "")


def test_writing_keeps_the_keys_other_apps_own_and_the_keys_they_read() -> None:
    stored = {"email_url": "smtp://u:p@h:25", "sms": {"provider": "brevo"}, "dunning": {"other": 1}}
    typed = settings_read(stored, default_plan_at=EIGHT)
    rules = ContactRules(time(7, 30), time(8), time(18, 30), 2, 5)
    written = settings_write(stored, typed.__class__(contact=rules, holidays_zone="FR-57", phone="+33 1"))
    assert written["email_url"] == "smtp://u:p@h:25"
    assert written["sms"] == {"provider": "brevo"}
    assert written["dunning"] == {
        "other": 1,
        "plan_at": "07:30",
        "contact_start": "08:00",
        "contact_end": "18:30",
        "cap_per_day": 2,
        "cap_per_week": 5,
    }
    assert written["holidays_zone"] == "FR-57"
    assert "signature" not in written
    assert stored["dunning"] == {"other": 1}  # the input is not changed
    assert settings_read(written, default_plan_at=EIGHT).contact == rules


def test_contact_rule_problems() -> None:
    assert contact_rules_problems(ContactRules(EIGHT)) == {}
    assert contact_rules_problems(ContactRules(EIGHT, cap_per_day=0, cap_per_week=2)) == {
        "cap_per_day": "cap_range"
    }
    assert contact_rules_problems(ContactRules(EIGHT, cap_per_day=3, cap_per_week=2)) == {
        "cap_per_week": "week_range"
    }
    assert contact_rules_problems(ContactRules(EIGHT, contact_start=time(19), contact_end=time(9))) == {
        "contact_end": "hours_order"
    }


# --- organisation_settings_update -----------------------------------------------------------------


def test_an_admin_updates_identity_and_bank_checked_and_audited(organisation, admin) -> None:
    diff = update(
        organisation,
        admin,
        name="Acme Industrie SAS",
        siren="732 829 320",
        postcode="57000",
        city="Metz",
        phone="01 23 45 67 89",
        iban="FR76 3000 4000 0312 3456 7890 143",
        bic="",
    )
    organisation.refresh_from_db()
    assert organisation.name == "Acme Industrie SAS"
    assert organisation.siren == "732829320"
    assert organisation.iban == "FR7630004000031234567890143"
    assert organisation.bic == "BNPAFRPP"  # derived from the IBAN's bank code
    assert organisation_settings(organisation).phone == "+33 1 23 45 67 89"
    assert set(diff) == {"name", "postcode", "city", "phone", "iban", "bic"}
    entry = AuditEntry.objects.get(object_type="organisation")
    assert entry.actor == admin
    assert entry.action == "update"
    assert entry.changes["city"] == ["", "Metz"]


def test_saving_the_same_values_again_records_nothing(organisation, admin) -> None:
    update(organisation, admin, city="Lyon")
    assert update(organisation, admin, city="Lyon") == {}
    assert AuditEntry.objects.filter(object_type="organisation").count() == 1


def test_bad_identifiers_are_refused_field_by_field(organisation, admin) -> None:
    with pytest.raises(ValidationError) as caught:
        update(
            organisation,
            admin,
            siren="732829321",
            iban="FR7630004000031234567890144",
            email="not-an-email",
            postcode="123",
        )
    assert set(caught.value.message_dict) == {"siren", "iban", "email", "postcode"}
    organisation.refresh_from_db()
    assert organisation.siren == "732829320"
    assert not AuditEntry.objects.exists()


def test_a_bic_of_another_bank_than_the_iban_is_refused(organisation, admin) -> None:
    with pytest.raises(ValidationError) as caught:
        update(organisation, admin, iban="FR7630004000031234567890143", bic="SOGEFRPP")
    assert "BNPAFRPP" in caught.value.message_dict["bic"][0]
    update(organisation, admin, iban="FR7630004000031234567890143", bic="BNPAFRPPXXX")
    organisation.refresh_from_db()
    assert organisation.bic == "BNPAFRPPXXX"


def test_a_manager_sets_contact_rules_that_dunning_reads(organisation, manager) -> None:
    update(
        organisation,
        manager,
        contact_start=time(8, 30),
        contact_end=time(18),
        plan_at=time(7),
        cap_per_day=1,
        cap_per_week=3,
        holidays_zone="FR-6AE",
    )
    organisation.refresh_from_db()
    hours = contact_hours(organisation)
    assert (hours.start, hours.end, hours.plan_at) == (time(8, 30), time(18), time(7))
    assert (caps_of(organisation).per_day, caps_of(organisation).per_week) == (1, 3)
    assert organisation_calendar(organisation) == Calendar("FR", "6AE")
    assert AuditEntry.objects.get(object_type="organisation").changes["cap_per_week"] == [2, 3]


def test_caps_and_hours_out_of_bounds_are_refused(organisation, manager) -> None:
    with pytest.raises(ValidationError) as caught:
        update(
            organisation, manager, cap_per_day=2, cap_per_week=1, contact_start=time(19), contact_end=time(9)
        )
    assert set(caught.value.message_dict) == {"cap_per_week", "contact_end"}
    with pytest.raises(ValidationError):
        update(organisation, manager, holidays_zone="nowhere")


def test_a_manager_cannot_change_the_identity_and_an_agent_nothing(organisation, manager, make_user) -> None:
    with pytest.raises(PermissionDenied):
        update(organisation, manager, iban="FR7630004000031234567890143")
    with pytest.raises(PermissionDenied):
        update(organisation, make_user(organisation, "agent"), cap_per_day=1)
    with pytest.raises(ValueError, match="not a setting: slug"):
        update(organisation, manager, slug="hijack")


def test_other_settings_keys_survive_an_update(organisation, manager) -> None:
    Organisation.objects.filter(pk=organisation.pk).update(settings={"email_url": "smtp://h:25"})
    organisation.refresh_from_db()
    update(organisation, manager, cap_per_week=3)
    organisation.refresh_from_db()
    assert organisation.settings["email_url"] == "smtp://h:25"


# --- members --------------------------------------------------------------------------------------


def test_an_admin_invites_a_person_who_gets_an_email(organisation, admin) -> None:
    membership = member_invite(
        organisation=organisation, email="New@Example.fr", role="agent", actor=admin, audit=audit_record
    )
    assert membership.role == "agent"
    assert membership.user.email == "new@example.fr"
    assert not membership.user.has_usable_password()
    assert mail.outbox[0].to == ["new@example.fr"]
    assert "/password/reset/" in mail.outbox[0].body
    assert AuditEntry.objects.get(object_type="membership").action == "create"
    with pytest.raises(ValidationError) as caught:  # a second click
        member_invite(
            organisation=organisation, email="new@example.fr", role="admin", actor=admin, audit=audit_record
        )
    assert "email" in caught.value.message_dict
    assert Membership.objects.get(pk=membership.pk).role == "agent"
    assert len(mail.outbox) == 1


def test_built_in_actors_cannot_be_invited(organisation, admin) -> None:
    from recouvre.tenancy.domain.services import system_user

    system_user()
    with pytest.raises(ValidationError):
        member_invite(
            organisation=organisation,
            email="cli@recouvre.invalid",
            role="admin",
            actor=admin,
            audit=audit_record,
        )


def test_only_an_admin_manages_members(organisation, manager) -> None:
    with pytest.raises(PermissionDenied):
        member_invite(
            organisation=organisation, email="x@example.fr", role="viewer", actor=manager, audit=audit_record
        )
    mine = Membership.objects.get(user=manager)
    with pytest.raises(PermissionDenied):
        membership_role_change(
            organisation=organisation, membership_id=mine.pk, role="admin", actor=manager, audit=audit_record
        )


def test_role_change_is_audited_and_idempotent(organisation, admin, manager) -> None:
    pk = Membership.objects.get(user=manager).pk
    membership_role_change(
        organisation=organisation, membership_id=pk, role="agent", actor=admin, audit=audit_record
    )
    membership_role_change(
        organisation=organisation, membership_id=pk, role="agent", actor=admin, audit=audit_record
    )
    assert Membership.objects.get(pk=pk).role == "agent"
    entry = AuditEntry.objects.get(object_type="membership")
    assert entry.changes == {"email": manager.email, "role": ["manager", "agent"]}


def test_the_last_admin_can_be_neither_demoted_nor_removed(organisation, admin, make_user) -> None:
    mine = Membership.objects.get(user=admin, organisation=organisation).pk
    with pytest.raises(ValidationError):
        membership_role_change(
            organisation=organisation, membership_id=mine, role="manager", actor=admin, audit=audit_record
        )
    with pytest.raises(ValidationError):
        membership_remove(organisation=organisation, membership_id=mine, actor=admin, audit=audit_record)
    second = make_user(organisation, "admin", email="second@example.fr")
    membership_role_change(
        organisation=organisation, membership_id=mine, role="manager", actor=admin, audit=audit_record
    )
    assert Membership.objects.get(pk=mine).role == "manager"
    assert Membership.objects.get(user=second).role == "admin"


def test_removing_a_member_keeps_their_account_and_a_second_click_finds_nothing(
    organisation, other_organisation, admin, make_user
) -> None:
    agent = make_user(organisation, "agent")
    make_user(other_organisation, "agent", email=agent.email)
    pk = Membership.objects.get(user=agent, organisation=organisation).pk
    assert (
        membership_remove(organisation=organisation, membership_id=pk, actor=admin, audit=audit_record)
        == agent.email
    )
    assert not Membership.objects.filter(pk=pk).exists()
    assert Membership.objects.filter(user=agent, organisation=other_organisation).exists()
    with pytest.raises(MembershipNotFound):
        membership_remove(organisation=organisation, membership_id=pk, actor=admin, audit=audit_record)
    assert AuditEntry.objects.filter(object_type="membership", action="delete").count() == 1


def test_a_membership_of_another_organisation_is_not_found(
    organisation, other_organisation, admin, make_user
) -> None:
    stranger = make_user(other_organisation, "admin")
    pk = Membership.objects.get(user=stranger).pk
    with pytest.raises(MembershipNotFound):
        membership_remove(organisation=organisation, membership_id=pk, actor=admin, audit=audit_record)
    with pytest.raises(MembershipNotFound):
        membership_role_change(
            organisation=organisation, membership_id=pk, role="viewer", actor=admin, audit=audit_record
        )
