"""Which scenario a debtor follows: its own assignment, else one for its segment and/or type, else
the organisation's default (seeded from B2B standard)."""

from __future__ import annotations

import pytest
from django_scopes import scope

from recouvre.dunning.domain.scenarios import scenario_defaults_ensure, scenario_resolver
from recouvre.dunning.models import Scenario, ScenarioAssignment, ScenarioStep
from recouvre.ledger.models import Debtor

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def _scenario(organisation, name, **match):
    scenario = Scenario.objects.create(organisation=organisation, name=name, **match)
    ScenarioStep.objects.create(
        organisation=organisation, scenario=scenario, position=1, code="reminder_1", day=1, channel="email"
    )
    return scenario


def test_default_is_seeded_once_from_b2b_standard(organisation, in_scope):
    first = scenario_defaults_ensure(organisation=organisation)
    assert scenario_defaults_ensure(organisation=organisation) == first
    steps = list(first.steps.values_list("code", "day", "channel", "needs_approval"))
    assert steps[0] == ("courtesy", -5, "email", False)
    assert ("formal_notice", 35, "registered_letter", True) in steps
    assert ("call", 20, "call", False) in steps  # the public bodies' call


def test_assignment_then_segment_and_type_then_type_then_default(organisation, in_scope):
    default = scenario_defaults_ensure(organisation=organisation)
    large = _scenario(organisation, "Grands comptes", segment="GE")
    large_public = _scenario(organisation, "Grands comptes publics", segment="GE", debtor_type="PUBLIC")
    consumers = _scenario(organisation, "Particuliers", debtor_type="B2C")
    vip = _scenario(organisation, "Sur mesure")
    debtor = Debtor.objects.create(organisation=organisation, ref="411X", name="X", segment="GE")
    ScenarioAssignment.objects.create(organisation=organisation, debtor=debtor, scenario=vip)
    resolve = scenario_resolver(organisation=organisation)
    assert resolve(debtor.id, "B2B", "GE").id == vip.id
    assert resolve(0, "B2B", "GE").id == large.id
    assert resolve(0, "PUBLIC", "GE").id == large_public.id
    assert resolve(0, "B2C", "").id == consumers.id
    assert resolve(0, "B2B", "PME").id == default.id
    assert [s.code for s in resolve(0, "B2B", "GE").steps] == ["reminder_1"]


def test_scenarios_are_scoped_to_their_organisation(organisation, other_organisation):
    with scope(organisation=other_organisation):
        scenario_defaults_ensure(organisation=other_organisation)
    with scope(organisation=organisation):
        assert Scenario.objects.count() == 0
