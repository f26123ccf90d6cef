from recouvre.dunning.models.action import Action, Attempt
from recouvre.dunning.models.case import Case
from recouvre.dunning.models.cycle import CycleRun, PrintBatch
from recouvre.dunning.models.scenario import Scenario, ScenarioAssignment, ScenarioStep

__all__ = [
    "Action",
    "Attempt",
    "Case",
    "CycleRun",
    "PrintBatch",
    "Scenario",
    "ScenarioAssignment",
    "ScenarioStep",
]
