from django.db import models
from django.utils.translation import gettext_lazy as _

from recouvre.common.models import OrganisationScopedModel
from recouvre.dunning.enums import Channel
from recouvre.ledger.enums import DebtorType, Segment


class Scenario(OrganisationScopedModel):
    """A ladder of steps a manager edits. Which debtors follow it: those assigned to it one by one
    (ScenarioAssignment), else those of its segment and/or debtor type, else the default one."""

    name = models.CharField(_("nom"), max_length=120)
    is_default = models.BooleanField(default=False)
    debtor_type = models.CharField(max_length=6, choices=DebtorType.choices, blank=True, default="")
    segment = models.CharField(max_length=3, choices=Segment.choices, blank=True, default="")
    good_payer_delay_days = models.PositiveSmallIntegerField(default=5)
    good_payer_delay_from = models.CharField(max_length=40, default="reminder_2")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="scenario_name_unique"),
            models.UniqueConstraint(
                fields=["organisation"], condition=models.Q(is_default=True), name="scenario_one_default"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ScenarioStep(OrganisationScopedModel):
    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=40)
    day = models.SmallIntegerField(help_text=_("jours après l'échéance (négatif : avant)"))
    channel = models.CharField(max_length=20, choices=Channel.choices)
    tone = models.CharField(max_length=60, blank=True, default="")
    needs_approval = models.BooleanField(default=False)
    # Conditions; an empty list means any. JSON lists so that the editor is a set of checkboxes.
    debtor_types = models.JSONField(default=list, blank=True)
    segments = models.JSONField(default=list, blank=True)
    profiles = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["scenario", "position"]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "position"], name="scenario_step_position_unique")
        ]


class ScenarioAssignment(OrganisationScopedModel):
    """One debtor put on a scenario by a person, whatever its segment."""

    debtor = models.OneToOneField("ledger.Debtor", on_delete=models.CASCADE, related_name="+")
    scenario = models.ForeignKey(Scenario, on_delete=models.PROTECT, related_name="assignments")
    created_at = models.DateTimeField(auto_now_add=True)
