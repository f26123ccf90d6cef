"""Editing scenarios: the pure validation of a step, the calendar of a case opening today, the
services (audited, idempotent on a second click) and the 30-day dry run restricted to the debtors
who follow a scenario."""

from dataclasses import replace
from datetime import date

import pytest
from django_scopes import scope

from recouvre.audit.models import AuditEntry
from recouvre.dunning.domain.scenario import B2B_STANDARD, StepSpec
from recouvre.dunning.domain.scenario_editing import (
    ScenarioInUse,
    ScenarioInvalid,
    conditions_overlap,
    scenario_create,
    scenario_delete,
    scenario_step_delete,
    scenario_step_move,
    scenario_step_save,
    scenario_update,
    step_problems,
)
from recouvre.dunning.domain.scenario_preview import scenario_calendar, scenario_preview_run
from recouvre.dunning.domain.scenarios import scenario_defaults_ensure
from recouvre.dunning.models import Action, ScenarioAssignment, ScenarioStep
from recouvre.dunning.tests.support import MONDAY, line, load
from recouvre.ledger.models import Debtor

SUNDAY = date(2026, 11, 22)


# --- Pure ---------------------------------------------------------------------------------------


@pytest.mark.unit
def test_the_packaged_scenario_is_valid_row_by_row():
    steps = B2B_STANDARD.steps
    for i, step in enumerate(steps):
        assert step_problems(step, steps[:i] + steps[i + 1 :]) == {}


@pytest.mark.unit
@pytest.mark.parametrize(
    ("step", "field"),
    [
        (StepSpec("reminder_1", 0, "email"), "day"),
        (StepSpec("reminder_1", 366, "email"), "day"),
        (StepSpec("courtesy", 3, "email"), "day"),
        (StepSpec("reminder_1", 3, "sms"), "channel"),
        (StepSpec("call", 15, "email"), "channel"),
        (StepSpec("formal_notice", 35, "registered_letter", needs_approval=False), "needs_approval"),
        (StepSpec("letter", 25, "letter", debtor_types=frozenset({"ALIEN"})), "debtor_types"),
        (StepSpec("letter", 25, "letter", tone="x" * 61), "tone"),
        (StepSpec("made_up", 25, "letter"), "code"),
    ],
)
def test_step_problems_by_field(step, field):
    assert field in step_problems(step, ())


@pytest.mark.unit
def test_one_code_twice_only_with_disjoint_conditions():
    b2b = StepSpec("call", 15, "call", debtor_types=frozenset({"B2B"}))
    public = StepSpec("call", 20, "call", debtor_types=frozenset({"PUBLIC"}))
    anyone = StepSpec("call", 18, "call")
    late_pme = StepSpec("call", 18, "call", segments=frozenset({"PME"}), profiles=frozenset({"late"}))
    assert not conditions_overlap(b2b, public)
    assert conditions_overlap(b2b, anyone)
    assert conditions_overlap(b2b, late_pme)  # a late B2B PME matches both
    assert step_problems(public, [b2b]) == {}
    assert "__all__" in step_problems(anyone, [b2b])


@pytest.mark.unit
def test_calendar_of_a_case_opening_on_a_sunday():
    calendar = scenario_calendar(B2B_STANDARD, today=SUNDAY, debtor_type="B2B")
    rows = {row.code: row for row in calendar.rows}
    assert calendar.due_date == date(2026, 11, 21)
    assert [row.code for row in calendar.rows] == [
        "reminder_1",
        "reminder_2",
        "sms",
        "call",
        "letter",
        "formal_notice",
        "litigation_review",
    ]
    assert rows["reminder_1"].planned == date(2026, 11, 24)
    # Day 10 is Tuesday 1 December; day 25, Wednesday 16 December; day 35 is Saturday 26 December:
    # the next business day is Monday 28 December.
    assert rows["reminder_2"].planned == date(2026, 12, 1)
    assert rows["formal_notice"].nominal == date(2026, 12, 26)
    assert rows["formal_notice"].planned == date(2026, 12, 28)
    assert rows["formal_notice"].needs_approval
    assert not rows["formal_notice"].within
    assert rows["letter"].within
    assert rows["letter"].planned == date(2026, 12, 16)
    assert calendar.courtesy is not None
    assert calendar.courtesy.day == -5


@pytest.mark.unit
def test_calendar_variants():
    public = scenario_calendar(B2B_STANDARD, today=SUNDAY, debtor_type="PUBLIC")
    assert "sms" not in [row.code for row in public.rows]
    assert next(row for row in public.rows if row.code == "call").day == 20
    good = scenario_calendar(B2B_STANDARD, today=SUNDAY, debtor_type="B2B", profile="good")
    assert {row.code: row.day for row in good.rows}["reminder_2"] == 15
    # A consumer gets e-mails on Saturdays: reminder_1 on day 7 lands on Saturday 28 November.
    spec = replace(B2B_STANDARD, steps=(StepSpec("reminder_1", 7, "email"),))
    assert scenario_calendar(spec, today=SUNDAY, debtor_type="B2C").rows[0].planned == date(2026, 11, 28)
    assert scenario_calendar(spec, today=SUNDAY, debtor_type="B2B").rows[0].planned == date(2026, 11, 30)


@pytest.mark.unit
def test_a_step_never_comes_before_the_one_above():
    spec = replace(
        B2B_STANDARD, steps=(StepSpec("reminder_2", 10, "email"), StepSpec("reminder_1", 3, "email"))
    )
    rows = scenario_calendar(spec, today=SUNDAY, debtor_type="B2B").rows
    assert rows[1].nominal < rows[0].planned <= rows[1].planned


# --- Services -------------------------------------------------------------------------------------


def _codes(scenario):
    return list(
        ScenarioStep.objects.filter(scenario=scenario).order_by("position").values_list("code", flat=True)
    )


@pytest.mark.integration
@pytest.mark.django_db
def test_step_save_inserts_by_day_and_audits(organisation, manager, in_scope):
    default = scenario_defaults_ensure(organisation=organisation)
    ScenarioStep.objects.filter(scenario=default, code="sms").delete()
    step = scenario_step_save(
        organisation=organisation,
        scenario=default,
        step=None,
        values=StepSpec("sms", 12, "sms", "short"),
        actor=manager,
    )
    assert _codes(default)[_codes(default).index("reminder_2") + 1] == "sms"
    assert AuditEntry.objects.get(object_type="scenario_step", object_id=str(step.pk)).action == "create"
    # The same values again: nothing changes, nothing more is audited.
    scenario_step_save(
        organisation=organisation,
        scenario=default,
        step=step,
        values=StepSpec("sms", 12, "sms", "short"),
        actor=manager,
    )
    assert AuditEntry.objects.filter(object_type="scenario_step").count() == 1
    with pytest.raises(ScenarioInvalid) as refused:
        scenario_step_save(
            organisation=organisation,
            scenario=default,
            step=None,
            values=StepSpec("sms", 13, "sms"),
            actor=manager,
        )
    assert "__all__" in refused.value.errors
    courtesy = ScenarioStep.objects.get(scenario=default, code="courtesy")
    courtesy.delete()
    scenario_step_save(
        organisation=organisation,
        scenario=default,
        step=None,
        values=StepSpec("courtesy", -3, "email"),
        actor=manager,
    )
    assert _codes(default)[0] == "courtesy"


@pytest.mark.integration
@pytest.mark.django_db
def test_move_is_idempotent_and_delete_reports_a_second_click(organisation, manager, in_scope):
    default = scenario_defaults_ensure(organisation=organisation)
    letter = ScenarioStep.objects.get(scenario=default, code="letter")
    seen = letter.position
    assert scenario_step_move(
        organisation=organisation, step=letter, from_position=seen, up=False, actor=manager
    )
    assert not scenario_step_move(
        organisation=organisation, step=letter, from_position=seen, up=False, actor=manager
    )
    assert _codes(default)[-3:] == ["formal_notice", "letter", "litigation_review"]
    last = ScenarioStep.objects.get(scenario=default, code="litigation_review")
    assert not scenario_step_move(
        organisation=organisation, step=last, from_position=last.position, up=False, actor=manager
    )
    assert scenario_step_delete(organisation=organisation, step_id=last.pk, scenario=default, actor=manager)
    assert not scenario_step_delete(
        organisation=organisation, step_id=last.pk, scenario=default, actor=manager
    )
    assert AuditEntry.objects.filter(object_type="scenario_step", action="delete").count() == 1


@pytest.mark.integration
@pytest.mark.django_db
def test_create_update_delete_scenario(organisation, manager, in_scope):
    default = scenario_defaults_ensure(organisation=organisation)
    public = scenario_create(organisation=organisation, name="Public", debtor_type="PUBLIC", actor=manager)
    assert _codes(public) == _codes(default)
    with pytest.raises(ScenarioInvalid) as same_target:
        scenario_create(organisation=organisation, name="Public bis", debtor_type="PUBLIC", actor=manager)
    assert "segment" in same_target.value.errors
    with pytest.raises(ScenarioInvalid):
        scenario_update(
            organisation=organisation,
            scenario=public,
            name="",
            debtor_type="PUBLIC",
            segment="",
            good_payer_delay_days=99,
            good_payer_delay_from="courtesy",
            actor=manager,
        )
    # The default scenario keeps no target whatever is posted.
    scenario_update(
        organisation=organisation,
        scenario=default,
        name="Standard",
        debtor_type="B2C",
        segment="PME",
        good_payer_delay_days=5,
        good_payer_delay_from="reminder_2",
        actor=manager,
    )
    default.refresh_from_db()
    assert (default.name, default.debtor_type, default.segment) == ("Standard", "", "")
    with pytest.raises(ScenarioInvalid):
        scenario_delete(organisation=organisation, scenario=default, confirmed=True, actor=manager)
    public_id = public.pk
    scenario_delete(organisation=organisation, scenario=public, confirmed=False, actor=manager)
    assert not ScenarioStep.objects.filter(scenario_id=public_id).exists()
    assert AuditEntry.objects.filter(
        object_type="scenario", action="delete", object_id=str(public_id)
    ).exists()


@pytest.mark.integration
@pytest.mark.django_db
def test_delete_with_followers_needs_confirmation(organisation, manager, import_csv):
    load(import_csv, organisation, line("F1", "411A", date(2026, 11, 1)))
    with scope(organisation=organisation):
        scenario = scenario_create(organisation=organisation, name="Mine", actor=manager)
        ScenarioAssignment.objects.create(
            organisation=organisation, debtor=Debtor.objects.get(ref="411A"), scenario=scenario
        )
        with pytest.raises(ScenarioInUse) as in_use:
            scenario_delete(organisation=organisation, scenario=scenario, confirmed=False, actor=manager)
        assert in_use.value.assigned == 1
        scenario_delete(organisation=organisation, scenario=scenario, confirmed=True, actor=manager)
        assert not ScenarioAssignment.objects.exists()


# --- The 30-day dry run ------------------------------------------------------------------------------


@pytest.mark.integration
@pytest.mark.django_db
def test_preview_counts_only_the_scenarios_followers_and_rolls_back(organisation, manager, import_csv):
    load(
        import_csv,
        organisation,
        line("F1", "411A", date(2026, 11, 20), email="a@client.example"),
        line("F2", "411B", date(2026, 11, 20), email="b@client.example"),
    )
    with scope(organisation=organisation):
        default = scenario_defaults_ensure(organisation=organisation)
        other = scenario_create(organisation=organisation, name="Other", actor=manager)
        ScenarioAssignment.objects.create(
            organisation=organisation, debtor=Debtor.objects.get(ref="411B"), scenario=other
        )
        mine = scenario_preview_run(organisation=organisation, scenario_id=default.pk, start=MONDAY)
        theirs = scenario_preview_run(organisation=organisation, scenario_id=other.pk, start=MONDAY)
        assert not Action.objects.exists()
    assert mine["debtors"] == 1
    assert theirs["debtors"] == 1
    assert mine["by_step"]["reminder_1"] == 1
    assert mine["by_step"]["reminder_2"] == 1
    assert mine["by_channel"]["email"] >= 2
    assert mine["from"] == "2026-11-23"
    assert mine["to"] == "2026-12-22"
    assert mine["days"][0]["date"] == "2026-11-23"  # day 3 after 20/11
