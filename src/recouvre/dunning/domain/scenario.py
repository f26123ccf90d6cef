"""Scenarios as plain data: the steps of a ladder with their day, channel, tone and conditions
(debtor type, segment, payer profile). The database holds what managers edit; the planner reads
these frozen copies. `B2B_STANDARD` is the default scenario of dunning.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

# Channels of cli.md: messages are counted in the contact caps, tasks are for people.
EMAIL, SMS, LETTER, REGISTERED_LETTER, CALL, TASK = (
    "email",
    "sms",
    "letter",
    "registered_letter",
    "call",
    "task",
)
MESSAGE_CHANNELS = frozenset({EMAIL, SMS, LETTER, REGISTERED_LETTER})
POSTAL_CHANNELS = frozenset({LETTER, REGISTERED_LETTER})
TASK_CHANNELS = frozenset({CALL, TASK})

COURTESY = "courtesy"
STANDARD, GOOD, LATE = "standard", "good", "late"  # payer profiles


@dataclass(frozen=True)
class StepSpec:
    code: str
    day: int  # days after the due date of the invoice that opened the case (courtesy: before a due date)
    channel: str
    tone: str = ""
    needs_approval: bool = False
    # Empty means "any". A step with conditions that do not match the debtor does not apply to it;
    # two rows may share a code with different conditions (e.g. the call of public bodies on day 20).
    debtor_types: frozenset[str] = frozenset()
    segments: frozenset[str] = frozenset()
    profiles: frozenset[str] = frozenset()

    def applies_to(self, debtor_type: str, segment: str, profile: str) -> bool:
        return (
            (not self.debtor_types or debtor_type in self.debtor_types)
            and (not self.segments or segment in self.segments)
            and (not self.profiles or profile in self.profiles)
        )


@dataclass(frozen=True)
class ScenarioSpec:
    id: int | None
    name: str
    steps: tuple[StepSpec, ...]
    # A good payer gets every step from `good_payer_delay_from` on this many days later.
    good_payer_delay_days: int = 5
    good_payer_delay_from: str = "reminder_2"


@dataclass(frozen=True)
class EffectiveStep:
    """A ladder step as it applies to one debtor: the first matching row of its code, with the
    good payer's delay applied."""

    code: str
    day: int
    channel: str
    tone: str
    needs_approval: bool
    position: int = field(compare=False, default=0)


@lru_cache(maxsize=4096)
def ladder_for(
    scenario: ScenarioSpec, debtor_type: str, segment: str, profile: str
) -> tuple[EffectiveStep, ...]:
    """The debtor's ladder, in scenario order, without the courtesy step."""
    steps: list[EffectiveStep] = []
    seen: set[str] = set()
    delayed = False
    for spec in scenario.steps:
        if spec.code == scenario.good_payer_delay_from:
            delayed = True
        if spec.code == COURTESY or spec.code in seen or not spec.applies_to(debtor_type, segment, profile):
            continue
        seen.add(spec.code)
        day = spec.day + (scenario.good_payer_delay_days if delayed and profile == GOOD else 0)
        steps.append(EffectiveStep(spec.code, day, spec.channel, spec.tone, spec.needs_approval, len(steps)))
    return tuple(steps)


def courtesy_step(scenario: ScenarioSpec, debtor_type: str, segment: str, profile: str) -> StepSpec | None:
    for spec in scenario.steps:
        if spec.code == COURTESY and spec.applies_to(debtor_type, segment, profile):
            return spec
    return None


_NOT_PUBLIC = frozenset({"B2B", "B2C"})

B2B_STANDARD = ScenarioSpec(
    id=None,
    name="B2B standard",
    steps=(
        StepSpec(COURTESY, -5, EMAIL, "courteous"),
        StepSpec("reminder_1", 3, EMAIL, "courteous"),
        StepSpec("reminder_2", 10, EMAIL, "cordial but clear"),
        # Public bodies get no SMS: the step does not apply to them.
        StepSpec("sms", 12, SMS, "short", debtor_types=_NOT_PUBLIC),
        StepSpec("call", 15, CALL, "", debtor_types=_NOT_PUBLIC),
        StepSpec("call", 20, CALL, "", debtor_types=frozenset({"PUBLIC"})),
        StepSpec("letter", 25, LETTER, "firm"),
        StepSpec("formal_notice", 35, REGISTERED_LETTER, "formal", needs_approval=True),
        StepSpec("litigation_review", 50, TASK, ""),
    ),
)
