"""A manager edits scenarios in the back office: create, rename and retarget, delete (asking first
when debtors follow it), and add, change, move or remove steps, each refusal said by form field.

Scenario edits change no debtor's history: they go to the audit log only (the timeline is per
debtor)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from recouvre.audit.domain.services import audit_record
from recouvre.dunning.domain.scenario import (
    CALL,
    COURTESY,
    EMAIL,
    GOOD,
    LATE,
    LETTER,
    REGISTERED_LETTER,
    SMS,
    STANDARD,
    TASK,
    StepSpec,
)
from recouvre.dunning.domain.scenarios import (
    scenario_assign,
    scenario_defaults_ensure,
    scenario_resolver,
    step_specs,
)
from recouvre.dunning.enums import CaseStatus
from recouvre.dunning.models import Case, Scenario, ScenarioAssignment, ScenarioStep
from recouvre.ledger.models import Debtor

# The steps a scenario may hold: the message texts are keyed by step code (messaging's CODES), so a
# code without a text could never be sent. `<code>_letter` codes are paper versions, not steps.
STEP_CHANNELS: dict[str, tuple[str, ...]] = {
    COURTESY: (EMAIL,),
    "reminder_1": (EMAIL, LETTER),
    "reminder_2": (EMAIL, LETTER),
    "sms": (SMS,),
    "call": (CALL,),
    "letter": (LETTER, REGISTERED_LETTER),
    "formal_notice": (REGISTERED_LETTER, LETTER, EMAIL),
    "litigation_review": (TASK,),
}
STEP_CODES = tuple(STEP_CHANNELS)
# A formal notice (mise en demeure) always waits for a manager's approval (dunning.md): refused, not
# just warned about, since it claims penalties and opens the way to court.
APPROVAL_REQUIRED = frozenset({"formal_notice"})
COURTESY_DAYS = range(-30, 0)  # before the due date
LADDER_DAYS = range(1, 366)  # after it: a case opens the day after the due date
DEBTOR_TYPES = ("B2B", "B2C", "PUBLIC")
SEGMENTS = ("TPE", "PME", "ETI", "GE")
PROFILES = (STANDARD, GOOD, LATE)


class ScenarioInvalid(ValueError):
    """What cannot be saved, by form field ("__all__" for the whole form)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__(" ".join(m for messages in errors.values() for m in messages))


class ScenarioInUse(ValueError):
    """Deleting would move debtors to another scenario: the caller must say so and ask again."""

    def __init__(self, assigned: int, open_cases: int) -> None:
        self.assigned, self.open_cases = assigned, open_cases
        super().__init__(f"{assigned} debtors assigned, {open_cases} open cases")


def _overlap(a: frozenset[str], b: frozenset[str]) -> bool:
    return not a or not b or bool(a & b)


def conditions_overlap(a: StepSpec, b: StepSpec) -> bool:
    """Two rows of one code may both apply to some debtor (empty conditions mean "any")."""
    return (
        _overlap(a.debtor_types, b.debtor_types)
        and _overlap(a.segments, b.segments)
        and _overlap(a.profiles, b.profiles)
    )


def step_problems(step: StepSpec, others: Sequence[StepSpec]) -> dict[str, list[str]]:
    """Why `step` cannot join a scenario holding `others` (its other rows), by field. Pure."""
    problems: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    if step.code not in STEP_CHANNELS:
        add("code", _("Étape inconnue « %(code)s ».") % {"code": step.code})
        return problems
    days = COURTESY_DAYS if step.code == COURTESY else LADDER_DAYS
    if step.day not in days:
        add(
            "day",
            _("Le jour doit être compris entre %(low)s et %(high)s.") % {"low": days[0], "high": days[-1]},
        )
    if step.channel not in STEP_CHANNELS[step.code]:
        add("channel", _("Canal impossible pour cette étape."))
    if step.code in APPROVAL_REQUIRED and not step.needs_approval:
        add("needs_approval", _("Une mise en demeure demande toujours l'approbation d'un responsable."))
    for name, values, allowed in (
        ("debtor_types", step.debtor_types, DEBTOR_TYPES),
        ("segments", step.segments, SEGMENTS),
        ("profiles", step.profiles, PROFILES),
    ):
        if not values <= set(allowed):
            add(name, _("Valeur inconnue."))
    if len(step.tone) > 60:
        add("tone", _("60 caractères au plus."))
    if any(other.code == step.code and conditions_overlap(step, other) for other in others):
        add(
            "__all__",
            _(
                "Cette étape existe déjà pour les mêmes débiteurs : une même étape ne peut figurer deux "
                "fois que si ses conditions (type, segment, profil) ne se recouvrent pas."
            ),
        )
    return problems


def _scenario_problems(
    *, organisation: Any, scenario: Scenario | None, name: str, debtor_type: str, segment: str
) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    others = Scenario.objects.filter(organisation=organisation)
    if scenario is not None:
        others = others.exclude(pk=scenario.pk)
    if not name.strip():
        problems["name"] = [_("Indiquez un nom.")]
    elif len(name.strip()) > 120:
        problems["name"] = [_("120 caractères au plus.")]
    elif others.filter(name__iexact=name.strip()).exists():
        problems["name"] = [_("Un autre scénario porte déjà ce nom.")]
    if debtor_type and debtor_type not in DEBTOR_TYPES:
        problems["debtor_type"] = [_("Valeur inconnue.")]
    if segment and segment not in SEGMENTS:
        problems["segment"] = [_("Valeur inconnue.")]
    # The resolver takes the first scenario of a target: a second one would silently never apply.
    if (debtor_type or segment) and others.filter(
        is_default=False, debtor_type=debtor_type, segment=segment
    ).exists():
        problems.setdefault("segment", []).append(
            _("Un autre scénario s'applique déjà à ces débiteurs (même type et même segment).")
        )
    return problems


def scenario_create(
    *, organisation: Any, name: str, debtor_type: str = "", segment: str = "", actor: Any
) -> Scenario:
    """A new scenario, starting as a copy of the default one's steps (a manager then edits them)."""
    default = scenario_defaults_ensure(organisation=organisation)
    problems = _scenario_problems(
        organisation=organisation, scenario=None, name=name, debtor_type=debtor_type, segment=segment
    )
    if problems:
        raise ScenarioInvalid(problems)
    with transaction.atomic():
        scenario = Scenario.objects.create(
            organisation=organisation,
            name=name.strip(),
            debtor_type=debtor_type,
            segment=segment,
            good_payer_delay_days=default.good_payer_delay_days,
            good_payer_delay_from=default.good_payer_delay_from,
        )
        steps = list(ScenarioStep.objects.filter(scenario=default).order_by("position"))
        for step in steps:
            step.pk = None
            step.scenario = scenario
        ScenarioStep.objects.bulk_create(steps)
        audit_record(
            organisation=organisation,
            actor=actor,
            action="create",
            object_type="scenario",
            object_id=scenario.pk,
            changes={"name": scenario.name, "debtor_type": debtor_type, "segment": segment},
        )
    return scenario


def scenario_update(
    *,
    organisation: Any,
    scenario: Scenario,
    name: str,
    debtor_type: str,
    segment: str,
    good_payer_delay_days: int,
    good_payer_delay_from: str,
    actor: Any,
) -> Scenario:
    """Renames a scenario, changes which debtors follow it and the good payer's delay. The default
    scenario follows every debtor no other scenario takes: it has no target."""
    if scenario.is_default:
        debtor_type, segment = "", ""
    problems = _scenario_problems(
        organisation=organisation, scenario=scenario, name=name, debtor_type=debtor_type, segment=segment
    )
    if good_payer_delay_days not in range(0, 61):
        problems["good_payer_delay_days"] = [_("Entre 0 et 60 jours.")]
    if good_payer_delay_from not in STEP_CODES or good_payer_delay_from == COURTESY:
        problems["good_payer_delay_from"] = [_("Étape inconnue.")]
    if problems:
        raise ScenarioInvalid(problems)
    wanted = {
        "name": name.strip(),
        "debtor_type": debtor_type,
        "segment": segment,
        "good_payer_delay_days": good_payer_delay_days,
        "good_payer_delay_from": good_payer_delay_from,
    }
    changes = {k: [getattr(scenario, k), v] for k, v in wanted.items() if getattr(scenario, k) != v}
    if not changes:
        return scenario
    with transaction.atomic():
        for key, value in wanted.items():
            setattr(scenario, key, value)
        scenario.save()
        audit_record(
            organisation=organisation,
            actor=actor,
            action="update",
            object_type="scenario",
            object_id=scenario.pk,
            changes=changes,
        )
    return scenario


def scenario_followers(*, organisation: Any, scenario: Scenario) -> tuple[int, int]:
    """(debtors assigned to it one by one, open cases of debtors who follow it today)."""
    assigned = ScenarioAssignment.objects.filter(scenario=scenario).count()
    resolve = scenario_resolver(organisation=organisation)
    rows = Case.objects.filter(status=CaseStatus.OPEN).values_list(
        "debtor_id", "debtor__debtor_type", "debtor__segment"
    )
    open_cases = sum(1 for row in rows.iterator() if resolve(*row).id == scenario.pk)
    return assigned, open_cases


def scenario_delete(*, organisation: Any, scenario: Scenario, confirmed: bool, actor: Any) -> None:
    """Deletes a scenario other than the default one. When debtors follow it, refuses with
    `ScenarioInUse` unless `confirmed`: then its assigned debtors go back to the automatic choice
    (each gets a timeline entry) and every case follows, from the next daily plan, the scenario
    that then applies to its debtor; steps already done stay done."""
    if scenario.is_default:
        raise ScenarioInvalid({"__all__": [_("Le scénario par défaut ne peut pas être supprimé.")]})
    if Case.objects.filter(scenario=scenario).exists():
        # Cases that recorded this scenario keep it as their history (a protected reference).
        raise ScenarioInvalid({"__all__": [_("Des dossiers de relance gardent ce scénario en historique.")]})
    assigned, open_cases = scenario_followers(organisation=organisation, scenario=scenario)
    if (assigned or open_cases) and not confirmed:
        raise ScenarioInUse(assigned, open_cases)
    with transaction.atomic():
        debtors = list(
            Debtor.objects.filter(
                pk__in=ScenarioAssignment.objects.filter(scenario=scenario).values("debtor_id")
            )
        )
        if debtors:
            scenario_assign(organisation=organisation, debtors=debtors, scenario=None, actor=actor)
        audit_record(
            organisation=organisation,
            actor=actor,
            action="delete",
            object_type="scenario",
            object_id=scenario.pk,
            changes={"name": scenario.name, "assigned": assigned, "open_cases": open_cases},
        )
        scenario.delete()


def scenario_step_save(
    *,
    organisation: Any,
    scenario: Scenario,
    step: ScenarioStep | None,
    values: StepSpec,
    actor: Any,
) -> ScenarioStep:
    """Adds a step (`step` None: placed after the last step whose day is not later) or changes one.
    Raises `ScenarioInvalid` by field. Saving the same values twice changes nothing the second time."""
    with transaction.atomic():
        rows = list(ScenarioStep.objects.select_for_update().filter(scenario=scenario).order_by("position"))
        others = [s for s in rows if step is None or s.pk != step.pk]
        problems = step_problems(values, step_specs(others))
        if problems:
            raise ScenarioInvalid(problems)
        fields = {
            "code": values.code,
            "day": values.day,
            "channel": values.channel,
            "tone": values.tone.strip(),
            "needs_approval": values.needs_approval,
            "debtor_types": sorted(values.debtor_types),
            "segments": sorted(values.segments),
            "profiles": sorted(values.profiles),
        }
        if step is None:
            step = ScenarioStep(organisation=organisation, scenario=scenario, **fields)
            _insert_by_day(step, rows)
            action, changes = "create", fields
        else:
            changes = {k: [getattr(step, k), v] for k, v in fields.items() if getattr(step, k) != v}
            if not changes:
                return step
            for key, value in fields.items():
                setattr(step, key, value)
            step.save()
            action = "update"
        scenario.save(update_fields=["updated_at"])
        audit_record(
            organisation=organisation,
            actor=actor,
            action=action,
            object_type="scenario_step",
            object_id=step.pk,
            changes={"scenario_id": scenario.pk, **changes},
        )
    return step


def _insert_by_day(step: ScenarioStep, rows: list[ScenarioStep]) -> None:
    """Saves the new step after the last row whose day is not later, shifting the rows below."""
    index = 0 if step.code == COURTESY else len(rows)
    if step.code != COURTESY:
        for i, row in enumerate(rows):
            if row.code != COURTESY and row.day > step.day:
                index = i
                break
    below = rows[index:]
    # Shifted from the bottom up: (scenario, position) is unique at every statement.
    for row in reversed(below):
        row.position += 1
        row.save(update_fields=["position"])
    step.position = below[0].position - 1 if below else (rows[-1].position + 1 if rows else 1)
    step.save()


def scenario_step_move(
    *, organisation: Any, step: ScenarioStep, from_position: int, up: bool, actor: Any
) -> bool:
    """Swaps the step with the one above (or below). `from_position` is where the person saw it: a
    second click of the same button finds it moved already and does nothing. Returns whether it moved."""
    with transaction.atomic():
        rows = list(
            ScenarioStep.objects.select_for_update().filter(scenario_id=step.scenario_id).order_by("position")
        )
        current = next((row for row in rows if row.pk == step.pk), None)
        if current is None or current.position != from_position:
            return False
        index = rows.index(current)
        neighbour_index = index - 1 if up else index + 1
        if not 0 <= neighbour_index < len(rows):
            return False
        neighbour = rows[neighbour_index]
        mine, theirs = current.position, neighbour.position
        current.position = 0  # free slot: positions start at 1
        current.save(update_fields=["position"])
        neighbour.position = mine
        neighbour.save(update_fields=["position"])
        current.position = theirs
        current.save(update_fields=["position"])
        audit_record(
            organisation=organisation,
            actor=actor,
            action="update",
            object_type="scenario_step",
            object_id=current.pk,
            changes={"scenario_id": current.scenario_id, "position": [mine, theirs]},
        )
    step.position = theirs
    return True


def scenario_step_delete(*, organisation: Any, step_id: int, scenario: Scenario, actor: Any) -> bool:
    """Removes a step of `scenario`; False when it is gone already (a second click). Steps done in
    open cases stay done; the step is simply not planned any more."""
    with transaction.atomic():
        step = ScenarioStep.objects.select_for_update().filter(pk=step_id, scenario=scenario).first()
        if step is None:
            return False
        audit_record(
            organisation=organisation,
            actor=actor,
            action="delete",
            object_type="scenario_step",
            object_id=step.pk,
            changes={
                "scenario_id": scenario.pk,
                "code": step.code,
                "day": step.day,
                "channel": step.channel,
                "needs_approval": step.needs_approval,
            },
        )
        step.delete()
    return True
