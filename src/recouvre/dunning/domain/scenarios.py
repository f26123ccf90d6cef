"""Scenarios in the database: the default one seeded from `scenario.B2B_STANDARD`, frozen copies
for the planner, and which scenario a debtor follows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import transaction

from recouvre.audit.domain.services import audit_record
from recouvre.dunning.domain.scenario import (
    B2B_STANDARD,
    ScenarioSpec,
    StepSpec,
)
from recouvre.dunning.models import Scenario, ScenarioAssignment, ScenarioStep
from recouvre.timeline.domain.services import event_record
from recouvre.timeline.enums import EventKind


def scenario_defaults_ensure(*, organisation: Any) -> Scenario:
    """The organisation's default scenario, created from B2B standard the first time."""
    existing = Scenario.objects.filter(organisation=organisation, is_default=True).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        scenario = Scenario.objects.create(
            organisation=organisation,
            name=B2B_STANDARD.name,
            is_default=True,
            good_payer_delay_days=B2B_STANDARD.good_payer_delay_days,
            good_payer_delay_from=B2B_STANDARD.good_payer_delay_from,
        )
        ScenarioStep.objects.bulk_create(
            ScenarioStep(
                organisation=organisation,
                scenario=scenario,
                position=position,
                code=step.code,
                day=step.day,
                channel=step.channel,
                tone=step.tone,
                needs_approval=step.needs_approval,
                debtor_types=sorted(step.debtor_types),
                segments=sorted(step.segments),
                profiles=sorted(step.profiles),
            )
            for position, step in enumerate(B2B_STANDARD.steps, start=1)
        )
    return scenario


def scenario_spec(scenario: Scenario, steps: list[ScenarioStep]) -> ScenarioSpec:
    return ScenarioSpec(
        id=scenario.id,
        name=scenario.name,
        steps=step_specs(steps),
        good_payer_delay_days=scenario.good_payer_delay_days,
        good_payer_delay_from=scenario.good_payer_delay_from,
    )


def step_specs(steps: Sequence[ScenarioStep]) -> tuple[StepSpec, ...]:
    return tuple(
        StepSpec(
            code=step.code,
            day=step.day,
            channel=step.channel,
            tone=step.tone,
            needs_approval=step.needs_approval,
            debtor_types=frozenset(step.debtor_types or ()),
            segments=frozenset(step.segments or ()),
            profiles=frozenset(step.profiles or ()),
        )
        for step in sorted(steps, key=lambda s: s.position)
    )


def scenario_resolver(*, organisation: Any) -> Callable[[int, str, str], ScenarioSpec]:
    """resolve(debtor_id, debtor_type, segment) -> the scenario the debtor follows: its own
    assignment, else a scenario for its segment and type, for its segment, for its type, else the
    default. Loads every scenario once."""
    default = scenario_defaults_ensure(organisation=organisation)
    scenarios = list(Scenario.objects.filter(organisation=organisation))
    steps: dict[int, list[ScenarioStep]] = {s.id: [] for s in scenarios}
    for step in ScenarioStep.objects.filter(organisation=organisation):
        steps[step.scenario_id].append(step)
    specs = {s.id: scenario_spec(s, steps[s.id]) for s in scenarios}
    assigned = dict(
        ScenarioAssignment.objects.filter(organisation=organisation).values_list("debtor_id", "scenario_id")
    )
    by_target: dict[tuple[str, str], int] = {}
    for s in scenarios:
        if not s.is_default and (s.segment or s.debtor_type):
            by_target.setdefault((s.segment, s.debtor_type), s.id)

    def resolve(debtor_id: int, debtor_type: str, segment: str) -> ScenarioSpec:
        scenario_id = assigned.get(debtor_id)
        if scenario_id is None:
            for key in ((segment, debtor_type), (segment, ""), ("", debtor_type)):
                if key[0] == "" and key[1] == "":
                    continue
                if (scenario_id := by_target.get(key)) is not None:
                    break
        return specs[scenario_id if scenario_id is not None else default.id]

    return resolve


def scenario_assign(
    *, organisation: Any, debtors: Sequence[Any], scenario: Scenario | None, actor: Any
) -> int:
    """Puts the debtors on `scenario` whatever their segment (None: back to the automatic choice by
    segment and type). The next daily plan follows it; steps already done stay done. Returns how many
    debtors changed scenario."""
    if scenario is not None and scenario.organisation_id != organisation.pk:
        raise ValueError(f"scenario {scenario.pk} belongs to another organisation")
    ids = [d.pk for d in debtors]
    current = dict(
        ScenarioAssignment.objects.filter(debtor_id__in=ids).values_list("debtor_id", "scenario_id")
    )
    wanted = scenario.pk if scenario is not None else None
    changed = [d for d in debtors if current.get(d.pk) != wanted]
    with transaction.atomic():
        for debtor in changed:
            if scenario is None:
                ScenarioAssignment.objects.filter(debtor_id=debtor.pk).delete()
            else:
                ScenarioAssignment.objects.update_or_create(
                    debtor_id=debtor.pk, defaults={"scenario": scenario, "organisation": organisation}
                )
            event_record(
                organisation=organisation,
                debtor_id=debtor.pk,
                kind=EventKind.SCENARIO_CHANGED,
                actor=actor,
                summary=f"Scénario : {scenario.name}" if scenario else "Scénario choisi selon le segment",
                data={"scenario_id": wanted, "previous_scenario_id": current.get(debtor.pk)},
            )
            audit_record(
                organisation=organisation,
                actor=actor,
                action="update",
                object_type="debtor",
                object_id=debtor.pk,
                debtor_id=debtor.pk,
                changes={"scenario_id": [current.get(debtor.pk), wanted]},
            )
    return len(changed)
