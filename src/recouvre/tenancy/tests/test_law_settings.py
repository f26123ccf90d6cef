"""The organisation's penalties settings (`law` group): interest first, contractual rate, divisor."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from recouvre.audit.domain.services import audit_record
from recouvre.audit.models import AuditEntry
from recouvre.tenancy.domain.organisation_settings import (
    organisation_settings,
    organisation_settings_update,
)
from recouvre.tenancy.domain.settings import (
    LawSettings,
    law_settings_problems,
    settings_read,
    settings_write,
)

EIGHT = time(8, 0)


def read(data):
    return settings_read(data, default_plan_at=EIGHT).law


def test_defaults_interest_first_off_legal_rate_365() -> None:
    assert read({}) == LawSettings(interest_first=False, contractual_rate=None, divisor=365)


def test_stored_values_are_read() -> None:
    stored = {"law": {"interest_first": True, "contractual_rate": "12.125", "divisor": 360}}
    assert read(stored) == LawSettings(True, Decimal("12.125"), 360)


@pytest.mark.parametrize(
    "law",
    [
        "nonsense",
        {"interest_first": "yes", "contractual_rate": "abc", "divisor": 366},
        {"interest_first": 1, "contractual_rate": "0", "divisor": "360"},
        {"contractual_rate": "100"},
        {"contractual_rate": "-3"},
        {"contractual_rate": "12.1234"},
        {"contractual_rate": True, "divisor": True},
        {"contractual_rate": "NaN"},
    ],
)
def test_unreadable_values_fall_back_to_the_defaults(law) -> None:
    assert read({"law": law}) == LawSettings()


def test_writing_keeps_unknown_keys_and_leaves_an_untouched_organisation_alone() -> None:
    assert "law" not in settings_write({"phone": "x"}, settings_read({}, default_plan_at=EIGHT))
    stored = {"law": {"note": "kept"}, "sms": {"provider": "brevo"}}
    typed = settings_read(stored, default_plan_at=EIGHT)
    written = settings_write(
        stored, typed.__class__(contact=typed.contact, law=LawSettings(True, Decimal("9.5"), 360))
    )
    assert written["law"] == {
        "note": "kept",
        "interest_first": True,
        "contractual_rate": "9.5",
        "divisor": 360,
    }
    assert written["sms"] == {"provider": "brevo"}
    assert stored["law"] == {"note": "kept"}
    assert read(written) == LawSettings(True, Decimal("9.5"), 360)


def test_problems() -> None:
    assert law_settings_problems(LawSettings(True, Decimal("99.999"), 360)) == {}
    assert law_settings_problems(LawSettings(False, Decimal("0"), 364)) == {
        "contractual_rate": "rate_range",
        "divisor": "divisor",
    }


# --- the service -----------------------------------------------------------------------------------


def update(organisation, actor, **changes):
    return organisation_settings_update(
        organisation=organisation, changes=changes, actor=actor, audit=audit_record
    )


@pytest.mark.django_db
def test_a_manager_sets_the_law_group_audited(organisation, manager, in_scope) -> None:
    diff = update(organisation, manager, interest_first=True, contractual_rate="12,5", divisor=360)
    assert diff == {
        "interest_first": [False, True],
        "contractual_rate": [None, "12.5"],
        "divisor": [365, 360],
    }
    organisation.refresh_from_db()
    assert organisation_settings(organisation).law == LawSettings(True, Decimal("12.5"), 360)
    entry = AuditEntry.objects.get(object_type="organisation")
    assert (entry.actor, entry.changes["divisor"]) == (manager, [365, 360])
    # The same values again change and record nothing; clearing the rate goes back to the legal one.
    assert update(organisation, manager, interest_first=True, contractual_rate=Decimal("12.500")) == {}
    assert update(organisation, manager, contractual_rate=None) == {"contractual_rate": ["12.5", None]}
    assert organisation_settings(organisation).law.contractual_rate is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"contractual_rate": "0"}, "contractual_rate"),
        ({"contractual_rate": "100"}, "contractual_rate"),
        ({"contractual_rate": "12.1234"}, "contractual_rate"),
        ({"contractual_rate": "douze"}, "contractual_rate"),
        ({"divisor": 364}, "divisor"),
        ({"divisor": "abc"}, "divisor"),
    ],
)
def test_bad_values_are_refused_by_field(organisation, manager, in_scope, changes, field) -> None:
    with pytest.raises(ValidationError) as refused:
        update(organisation, manager, **changes)
    assert set(refused.value.message_dict) == {field}
    organisation.refresh_from_db()
    assert "law" not in organisation.settings


@pytest.mark.django_db
def test_an_agent_may_not_change_them(organisation, make_user, in_scope) -> None:
    with pytest.raises(PermissionDenied):
        update(organisation, make_user(organisation, "agent"), interest_first=True)
