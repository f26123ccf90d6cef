"""The organisation's payment plan rules (`plans` group): how many instalments, how small, how soon,
how long, and the grace before a plan breaks."""

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
    PlanRules,
    plan_rules_problems,
    settings_read,
    settings_write,
)

EIGHT = time(8, 0)


def read(data):
    return settings_read(data, default_plan_at=EIGHT).plans


def test_defaults() -> None:
    assert read({}) == PlanRules(
        max_instalments=6,
        min_instalment=Decimal("50.00"),
        max_first_delay_days=30,
        max_duration_months=12,
        grace_days=5,
    )


def test_stored_values_are_read() -> None:
    stored = {
        "plans": {
            "max_instalments": 12,
            "min_instalment": "25.50",
            "max_first_delay_days": 15,
            "max_duration_months": 18,
            "grace_days": 0,
        }
    }
    assert read(stored) == PlanRules(12, Decimal("25.50"), 15, 18, 0)


@pytest.mark.parametrize(
    "plans",
    [
        "nonsense",
        {"max_instalments": 0, "min_instalment": "0", "grace_days": -1},
        {"max_instalments": 61, "min_instalment": "12.345", "max_first_delay_days": 366},
        {"max_instalments": True, "min_instalment": True, "max_duration_months": 0},
        {"min_instalment": "NaN", "grace_days": 31, "max_duration_months": "abc"},
    ],
)
def test_unreadable_values_fall_back_to_the_defaults(plans) -> None:
    assert read({"plans": plans}) == PlanRules()


def test_writing_keeps_unknown_keys_and_leaves_an_untouched_organisation_alone() -> None:
    assert "plans" not in settings_write({"phone": "x"}, settings_read({}, default_plan_at=EIGHT))
    stored = {"plans": {"note": "kept"}, "law": {"divisor": 360}}
    typed = settings_read(stored, default_plan_at=EIGHT)
    rules = PlanRules(10, Decimal("30.00"), 45, 24, 3)
    written = settings_write(stored, typed.__class__(contact=typed.contact, law=typed.law, plans=rules))
    assert written["plans"] == {
        "note": "kept",
        "max_instalments": 10,
        "min_instalment": "30.00",
        "max_first_delay_days": 45,
        "max_duration_months": 24,
        "grace_days": 3,
    }
    assert written["law"]["divisor"] == 360
    assert stored["plans"] == {"note": "kept"}
    assert read(written) == rules


def test_problems() -> None:
    assert plan_rules_problems(PlanRules(60, Decimal("0.01"), 0, 60, 30)) == {}
    assert plan_rules_problems(PlanRules(0, Decimal("0"), -1, 0, 31)) == {
        "max_instalments": "instalments_range",
        "min_instalment": "amount_range",
        "max_first_delay_days": "delay_range",
        "max_duration_months": "duration_range",
        "grace_days": "grace_range",
    }


# --- the service -----------------------------------------------------------------------------------


def update(organisation, actor, **changes):
    return organisation_settings_update(
        organisation=organisation, changes=changes, actor=actor, audit=audit_record
    )


@pytest.mark.django_db
def test_a_manager_sets_the_plan_rules_audited(organisation, manager, in_scope) -> None:
    diff = update(organisation, manager, max_instalments="12", min_instalment="25,5", grace_days=0)
    assert diff == {
        "max_instalments": [6, 12],
        "min_instalment": ["50.00", "25.5"],
        "grace_days": [5, 0],
    }
    organisation.refresh_from_db()
    assert organisation_settings(organisation).plans == PlanRules(12, Decimal("25.5"), 30, 12, 0)
    entry = AuditEntry.objects.get(object_type="organisation")
    assert (entry.actor, entry.changes["grace_days"]) == (manager, [5, 0])
    # The same values again change and record nothing.
    assert update(organisation, manager, max_instalments=12, min_instalment=Decimal("25.50")) == {}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"max_instalments": 0}, "max_instalments"),
        ({"max_instalments": "six"}, "max_instalments"),
        ({"min_instalment": "0"}, "min_instalment"),
        ({"min_instalment": "10.001"}, "min_instalment"),
        ({"min_instalment": "cinquante"}, "min_instalment"),
        ({"max_first_delay_days": 400}, "max_first_delay_days"),
        ({"max_duration_months": 0}, "max_duration_months"),
        ({"grace_days": -2}, "grace_days"),
    ],
)
def test_bad_values_are_refused_by_field(organisation, manager, in_scope, changes, field) -> None:
    with pytest.raises(ValidationError) as refused:
        update(organisation, manager, **changes)
    assert set(refused.value.message_dict) == {field}
    organisation.refresh_from_db()
    assert "plans" not in organisation.settings


@pytest.mark.django_db
def test_an_agent_may_not_change_them(organisation, make_user, in_scope) -> None:
    with pytest.raises(PermissionDenied):
        update(organisation, make_user(organisation, "agent"), max_instalments=12)
