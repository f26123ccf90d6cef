"""The scenario editor's forms (views/scenarios.py): a scenario, its settings, one step."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from recouvre.backoffice.views.actions import step_label
from recouvre.dunning.domain.scenario import StepSpec
from recouvre.dunning.domain.scenario_editing import (
    DEBTOR_TYPES,
    SEGMENTS,
    STEP_CODES,
)
from recouvre.dunning.enums import Channel
from recouvre.ledger.enums import DebtorType, Segment

PROFILE_CHOICES = [
    ("standard", gettext_lazy("Standard")),
    ("good", gettext_lazy("Bon payeur")),
    ("late", gettext_lazy("Retardataire habituel")),
]


def labelled_choices(values: tuple[str, ...], labelled: Any) -> list[tuple[str, str]]:
    labels = dict(labelled)
    return [(value, labels.get(value, value)) for value in values]


class StepForm(forms.Form):
    code = forms.ChoiceField(label=gettext_lazy("Étape"))
    day = forms.IntegerField(
        label=gettext_lazy("Jour"),
        help_text=gettext_lazy("Jours après l'échéance ; négatif pour la courtoisie (avant l'échéance)."),
    )
    channel = forms.ChoiceField(label=gettext_lazy("Canal"), choices=Channel.choices)
    tone = forms.CharField(label=gettext_lazy("Ton"), max_length=60, required=False)
    needs_approval = forms.BooleanField(label=gettext_lazy("Approbation d'un responsable"), required=False)
    debtor_types = forms.MultipleChoiceField(
        label=gettext_lazy("Types de débiteur"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=labelled_choices(DEBTOR_TYPES, DebtorType.choices),
    )
    segments = forms.MultipleChoiceField(
        label=gettext_lazy("Segments"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=labelled_choices(SEGMENTS, Segment.choices),
    )
    profiles = forms.MultipleChoiceField(
        label=gettext_lazy("Profils de payeur"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=PROFILE_CHOICES,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [(code, f"{step_label(code)} ({code})") for code in STEP_CODES]

    def spec(self) -> StepSpec:
        data = self.cleaned_data
        return StepSpec(
            code=data["code"],
            day=data["day"],
            channel=data["channel"],
            tone=data["tone"],
            needs_approval=data["needs_approval"],
            debtor_types=frozenset(data["debtor_types"]),
            segments=frozenset(data["segments"]),
            profiles=frozenset(data["profiles"]),
        )


class ScenarioForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Nom"), max_length=120)
    debtor_type = forms.ChoiceField(
        label=gettext_lazy("Pour les débiteurs de type"),
        required=False,
        choices=[("", gettext_lazy("Tous")), *labelled_choices(DEBTOR_TYPES, DebtorType.choices)],
    )
    segment = forms.ChoiceField(
        label=gettext_lazy("Du segment"),
        required=False,
        choices=[("", gettext_lazy("Tous")), *labelled_choices(SEGMENTS, Segment.choices)],
    )


class ScenarioEditForm(ScenarioForm):
    good_payer_delay_days = forms.IntegerField(
        label=gettext_lazy("Délai accordé aux bons payeurs (jours)"), min_value=0, max_value=60
    )
    good_payer_delay_from = forms.ChoiceField(label=gettext_lazy("À partir de l'étape"))

    def __init__(self, *args: Any, is_default: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["good_payer_delay_from"].choices = [
            (code, step_label(code)) for code in STEP_CODES if code != "courtesy"
        ]
        if is_default:
            # The default scenario takes every debtor no other scenario takes.
            del self.fields["debtor_type"], self.fields["segment"]


def describe_errors(form: forms.Form) -> forms.Form:
    """Points each field in error at its message, for screen readers."""
    for name in form.errors:
        if name in form.fields:
            field = form.fields[name]
            ids = [f"{form[name].auto_id}-error"]
            if field.help_text:
                ids.append(f"{form[name].auto_id}_helptext")
            field.widget.attrs["aria-describedby"] = " ".join(ids)
    return form
