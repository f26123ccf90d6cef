"""The portfolio's bulk actions: the form a manager fills in, and the services it calls. The services
skip debtors already in the wanted state, so a second click (or a resubmitted form) changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from recouvre.backoffice.portfolio_filters import NO_AGENT, DescribedErrorsForm, agent_choices
from recouvre.dunning.domain.scenarios import scenario_assign
from recouvre.dunning.models import Scenario
from recouvre.ledger.domain.debtors import debtor_assign_agent, debtor_pause, debtor_resume
from recouvre.ledger.models import Debtor

ACTION_CHOICES = [
    ("assign", _("Confier à un chargé de recouvrement")),
    ("pause", _("Suspendre les relances")),
    ("resume", _("Reprendre les relances")),
    ("scenario", _("Changer de scénario")),
]
AUTOMATIC = "auto"


class BulkActionForm(DescribedErrorsForm):
    action = forms.ChoiceField(choices=ACTION_CHOICES, label=_("Action"))
    # "selected": the ticked rows (`ids`); "all": every debtor of the view described by `filters`.
    scope = forms.ChoiceField(choices=[("selected", "selected"), ("all", "all")], initial="selected")
    ids = forms.TypedMultipleChoiceField(required=False, coerce=int, label=_("Débiteurs"))
    filters = forms.CharField(required=False, max_length=2000)
    agent = forms.ChoiceField(required=False, label=_("Chargé de recouvrement"))
    until = forms.DateField(
        required=False, label=_("Suspendre jusqu'au"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(required=False, max_length=300, label=_("Motif"))
    scenario = forms.ChoiceField(required=False, label=_("Scénario"))

    def __init__(
        self, data: Any, *, organisation: Any, today: date, agents: list[tuple[str, str]] | None = None
    ) -> None:
        super().__init__(data)
        self.today = today
        agents = agent_choices(organisation) if agents is None else agents
        self.fields["agent"].choices = [(NO_AGENT, _("Personne")), *agents]
        self.fields["scenario"].choices = [
            (AUTOMATIC, _("Selon le segment et le type")),
            *(
                (str(s.pk), s.name)
                for s in Scenario.objects.filter(organisation=organisation).order_by("name")
            ),
        ]
        # Any id may be posted; the view looks them up in the organisation's scope (others are ignored).
        self.fields["ids"].valid_value = lambda value: True  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if data.get("scope") == "selected" and not data.get("ids"):
            self.add_error("ids", gettext("Cochez au moins un débiteur, ou choisissez tous ceux de la vue."))
        if action == "assign" and not data.get("agent"):
            self.add_error("agent", gettext("Choisissez à qui confier ces débiteurs."))
        if action == "pause":
            until = data.get("until")
            if until is None:
                self.add_error("until", gettext("Indiquez jusqu'à quelle date suspendre."))
            elif until < self.today:
                self.add_error("until", gettext("La date de fin est déjà passée."))
            if not (data.get("reason") or "").strip():
                self.add_error("reason", gettext("Indiquez le motif de la suspension."))
        if action == "scenario" and not data.get("scenario"):
            self.add_error("scenario", gettext("Choisissez un scénario."))
        return data

    def describe(self, count: int) -> str:
        """What the confirmation asks, in words."""
        data = self.cleaned_data
        action = data["action"]
        if action == "assign":
            agent = dict(self.fields["agent"].choices)[data["agent"]]
            text = ngettext(
                "Confier %(count)s débiteur à %(agent)s", "Confier %(count)s débiteurs à %(agent)s", count
            )
            return text % {"count": count, "agent": agent}
        if action == "pause":
            text = ngettext(
                "Suspendre les relances de %(count)s débiteur jusqu'au %(until)s (%(reason)s)",
                "Suspendre les relances de %(count)s débiteurs jusqu'au %(until)s (%(reason)s)",
                count,
            )
            return text % {
                "count": count,
                "until": data["until"].strftime("%d/%m/%Y"),
                "reason": data["reason"],
            }
        if action == "resume":
            text = ngettext(
                "Reprendre les relances de %(count)s débiteur",
                "Reprendre les relances de %(count)s débiteurs",
                count,
            )
            return text % {"count": count}
        scenario = dict(self.fields["scenario"].choices)[data["scenario"]]
        text = ngettext(
            "Mettre %(count)s débiteur sur le scénario « %(scenario)s »",
            "Mettre %(count)s débiteurs sur le scénario « %(scenario)s »",
            count,
        )
        return text % {"count": count, "scenario": scenario}


def bulk_apply(*, form: BulkActionForm, organisation: Any, debtors: Sequence[Debtor], actor: Any) -> int:
    """Runs the chosen service on `debtors`; returns how many changed."""
    data = form.cleaned_data
    action = data["action"]
    if action == "assign":
        from django.contrib.auth import get_user_model

        agent = None if data["agent"] == NO_AGENT else get_user_model().objects.get(pk=int(data["agent"]))
        return debtor_assign_agent(organisation=organisation, debtors=debtors, agent=agent, actor=actor)
    if action == "pause":
        return debtor_pause(
            organisation=organisation, debtors=debtors, until=data["until"], reason=data["reason"],
            today=form.today, actor=actor,
        )  # fmt: skip
    if action == "resume":
        return debtor_resume(organisation=organisation, debtors=debtors, today=form.today, actor=actor)
    scenario = None
    if data["scenario"] != AUTOMATIC:
        scenario = Scenario.objects.get(organisation=organisation, pk=int(data["scenario"]))
    return scenario_assign(organisation=organisation, debtors=debtors, scenario=scenario, actor=actor)
