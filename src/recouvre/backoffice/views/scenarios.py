"""Scenarios in the back office: the list, one scenario with its steps, the calendar of its steps for
a case opening today, and the 30-day dry run on the portfolio (in the background, polled).

Every member reads; changing a scenario or a step takes a manager. Changes go through
`dunning.domain.scenario_editing` (validated, audited); the forms are in views/scenario_forms.py."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tasks import TaskResultStatus, default_task_backend
from django_tasks.exceptions import TaskResultDoesNotExist

from recouvre.backoffice.views.access import MANAGER, membership_required, paris_today, role_required
from recouvre.backoffice.views.actions import step_label
from recouvre.backoffice.views.form_errors import put_errors
from recouvre.backoffice.views.scenario_forms import (
    PROFILE_CHOICES,
    ScenarioEditForm,
    ScenarioForm,
    StepForm,
    describe_errors,
    labelled_choices,
)
from recouvre.dunning.domain.scenario_editing import (
    DEBTOR_TYPES,
    PROFILES,
    SEGMENTS,
    ScenarioInUse,
    ScenarioInvalid,
    scenario_create,
    scenario_delete,
    scenario_followers,
    scenario_step_delete,
    scenario_step_move,
    scenario_step_save,
    scenario_update,
)
from recouvre.dunning.domain.scenario_preview import scenario_calendar
from recouvre.dunning.domain.scenarios import scenario_defaults_ensure, scenario_spec
from recouvre.dunning.enums import Channel
from recouvre.dunning.models import Scenario, ScenarioStep
from recouvre.dunning.tasks import scenario_preview_task
from recouvre.ledger.enums import DebtorType, Segment
from recouvre.tenancy.domain.services import role_allows


def _channel_label(channel: str) -> str:
    return str(Channel(channel).label) if channel in Channel.values else channel


def _scenario(pk: int) -> Scenario:
    return get_object_or_404(Scenario, pk=pk)


def _can_edit(request: HttpRequest) -> bool:
    return role_allows(request.role, MANAGER)  # type: ignore[attr-defined]


# --- List and creation -------------------------------------------------------------------------------


@membership_required
def scenario_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request, ScenarioForm())


def _list_page(request: HttpRequest, form: ScenarioForm, status: int = 200) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    scenario_defaults_ensure(organisation=organisation)
    scenarios = list(
        Scenario.objects.filter(organisation=organisation)
        .annotate(step_count=Count("steps"))
        .order_by("-is_default", "name")
    )
    context = {"scenarios": scenarios, "form": form, "can_edit": _can_edit(request)}
    return render(request, "backoffice/scenarios/list.html", context, status=status)


@role_required(MANAGER)
@require_POST
def scenario_new(request: HttpRequest) -> HttpResponse:
    form = ScenarioForm(request.POST)
    if form.is_valid():
        try:
            scenario = scenario_create(
                organisation=request.organisation,  # type: ignore[attr-defined]
                name=form.cleaned_data["name"],
                debtor_type=form.cleaned_data["debtor_type"],
                segment=form.cleaned_data["segment"],
                actor=request.user,
            )
        except ScenarioInvalid as error:
            put_errors(form, error.errors)
        else:
            messages.success(request, _("Scénario créé à partir du scénario par défaut."))
            return redirect("backoffice:scenario-detail", pk=scenario.pk)
    return _list_page(request, describe_errors(form), status=400)  # type: ignore[arg-type]


# --- One scenario ------------------------------------------------------------------------------------


def _variant(request: HttpRequest) -> dict[str, str]:
    """The debtor the calendar is drawn for (query string), defaults when absent or unknown."""
    debtor_type = request.GET.get("type", "B2B")
    profile = request.GET.get("profile", "standard")
    segment = request.GET.get("segment", "")
    return {
        "debtor_type": debtor_type if debtor_type in DEBTOR_TYPES else "B2B",
        "profile": profile if profile in PROFILES else "standard",
        "segment": segment if segment in SEGMENTS else "",
    }


def _calendar_context(request: HttpRequest, scenario: Scenario, steps: list[ScenarioStep]) -> dict[str, Any]:
    variant = _variant(request)
    calendar = scenario_calendar(scenario_spec(scenario, steps), today=paris_today(), **variant)
    return {
        "calendar": calendar,
        "rows": [(row, step_label(row.code), _channel_label(row.channel)) for row in calendar.rows],
        "courtesy_before": -calendar.courtesy.day if calendar.courtesy else 0,
        "courtesy_channel": _channel_label(calendar.courtesy.channel) if calendar.courtesy else "",
        "variant": variant,
        "debtor_types": labelled_choices(DEBTOR_TYPES, DebtorType.choices),
        "segments": labelled_choices(SEGMENTS, Segment.choices),
        "profiles": PROFILE_CHOICES,
        "today": paris_today(),
    }


def _out_of_order(steps: list[ScenarioStep]) -> set[int]:
    """Steps placed after a later-day step: they are done right after it, not on their own day."""
    flagged: set[int] = set()
    latest: int | None = None
    for step in steps:
        if step.code == "courtesy":
            continue
        if (
            latest is not None
            and step.day < latest
            and not (step.debtor_types or step.segments or step.profiles)
        ):
            flagged.add(step.pk)
        latest = step.day if latest is None else max(latest, step.day)
    return flagged


@membership_required
def scenario_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = _scenario(pk)
    steps = list(scenario.steps.order_by("position"))
    flagged = _out_of_order(steps)
    for step in steps:
        step.label = step_label(step.code)  # type: ignore[attr-defined]
        step.out_of_order = step.pk in flagged  # type: ignore[attr-defined]
    context = {
        "scenario": scenario,
        "good_from": step_label(scenario.good_payer_delay_from),
        "steps": steps,
        "can_edit": _can_edit(request),
        "preview": _preview_state(request, scenario),
        **_calendar_context(request, scenario, steps),
    }
    return render(request, "backoffice/scenarios/detail.html", context)


@membership_required
def scenario_calendar_part(request: HttpRequest, pk: int) -> HttpResponse:
    """The calendar alone, for the HTMX variant switcher."""
    scenario = _scenario(pk)
    steps = list(scenario.steps.all())
    return render(
        request,
        "backoffice/scenarios/_calendar.html",
        {"scenario": scenario, **_calendar_context(request, scenario, steps)},
    )


@role_required(MANAGER)
def scenario_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = _scenario(pk)
    if request.method != "POST":
        initial = {field: getattr(scenario, field) for field in ScenarioEditForm.base_fields}
        form = ScenarioEditForm(initial=initial, is_default=scenario.is_default)
        return render(request, "backoffice/scenarios/edit.html", {"scenario": scenario, "form": form})
    form = ScenarioEditForm(request.POST, is_default=scenario.is_default)
    if form.is_valid():
        data = form.cleaned_data
        try:
            scenario_update(
                organisation=request.organisation,  # type: ignore[attr-defined]
                scenario=scenario,
                name=data["name"],
                debtor_type=data.get("debtor_type", ""),
                segment=data.get("segment", ""),
                good_payer_delay_days=data["good_payer_delay_days"],
                good_payer_delay_from=data["good_payer_delay_from"],
                actor=request.user,
            )
        except ScenarioInvalid as error:
            put_errors(form, error.errors)
        else:
            messages.success(request, _("Scénario enregistré."))
            return redirect("backoffice:scenario-detail", pk=scenario.pk)
    context = {"scenario": scenario, "form": describe_errors(form)}
    return render(request, "backoffice/scenarios/edit.html", context, status=400)


@role_required(MANAGER)
def scenario_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what deleting would do; POST: delete (with `confirm` when debtors follow it)."""
    scenario = _scenario(pk)
    if scenario.is_default:
        messages.error(request, _("Le scénario par défaut ne peut pas être supprimé."))
        return redirect("backoffice:scenario-detail", pk=scenario.pk)
    organisation = request.organisation  # type: ignore[attr-defined]
    assigned, open_cases = scenario_followers(organisation=organisation, scenario=scenario)
    context = {"scenario": scenario, "assigned": assigned, "open_cases": open_cases}
    if request.method != "POST":
        return render(request, "backoffice/scenarios/delete.html", context)
    try:
        scenario_delete(
            organisation=organisation,
            scenario=scenario,
            confirmed=request.POST.get("confirm") == "yes",
            actor=request.user,
        )
    except ScenarioInvalid as error:
        for problems in error.errors.values():
            for problem in problems:
                messages.error(request, problem)
        return redirect("backoffice:scenario-detail", pk=scenario.pk)
    except ScenarioInUse as in_use:
        # Someone assigned debtors since the page was shown: say so again before deleting.
        context.update(assigned=in_use.assigned, open_cases=in_use.open_cases, must_confirm=True)
        return render(request, "backoffice/scenarios/delete.html", context, status=409)
    messages.success(request, _("Scénario « %(name)s » supprimé.") % {"name": scenario.name})
    return redirect("backoffice:scenario-list")


# --- Steps -------------------------------------------------------------------------------------------


@role_required(MANAGER)
def step_edit(request: HttpRequest, pk: int, step_pk: int | None = None) -> HttpResponse:
    """Adds a step (`step_pk` None) or changes one: day, channel, tone, approval, conditions."""
    scenario = _scenario(pk)
    step = get_object_or_404(ScenarioStep, pk=step_pk, scenario=scenario) if step_pk is not None else None
    if request.method != "POST":
        initial: dict[str, Any] = {"channel": "email", "day": 1}
        if step is not None:
            initial = {field: getattr(step, field) for field in StepForm.base_fields}
        form = StepForm(initial=initial)
        return render(
            request, "backoffice/scenarios/step.html", {"scenario": scenario, "step": step, "form": form}
        )
    form = StepForm(request.POST)
    if form.is_valid():
        try:
            scenario_step_save(
                organisation=request.organisation,  # type: ignore[attr-defined]
                scenario=scenario,
                step=step,
                values=form.spec(),
                actor=request.user,
            )
        except ScenarioInvalid as error:
            put_errors(form, error.errors)
        else:
            messages.success(request, _("Étape enregistrée."))
            return redirect("backoffice:scenario-detail", pk=scenario.pk)
    context = {"scenario": scenario, "step": step, "form": describe_errors(form)}
    return render(request, "backoffice/scenarios/step.html", context, status=400)


@role_required(MANAGER)
@require_POST
def step_move(request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
    scenario = _scenario(pk)
    step = get_object_or_404(ScenarioStep, pk=step_pk, scenario=scenario)
    direction = request.POST.get("direction")
    try:
        seen_at = int(request.POST.get("position", ""))
    except ValueError:
        return HttpResponseBadRequest()
    if direction not in ("up", "down"):
        return HttpResponseBadRequest()
    scenario_step_move(
        organisation=request.organisation,  # type: ignore[attr-defined]
        step=step,
        from_position=seen_at,
        up=direction == "up",
        actor=request.user,
    )
    return redirect(reverse("backoffice:scenario-detail", kwargs={"pk": scenario.pk}) + f"#step-{step.pk}")


@role_required(MANAGER)
@require_POST
def step_remove(request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
    scenario = _scenario(pk)
    removed = scenario_step_delete(
        organisation=request.organisation,  # type: ignore[attr-defined]
        step_id=step_pk,
        scenario=scenario,
        actor=request.user,
    )
    if removed:
        messages.success(request, _("Étape supprimée."))
    else:
        messages.info(request, _("Cette étape avait déjà été supprimée."))
    return redirect("backoffice:scenario-detail", pk=scenario.pk)


# --- The 30-day dry run ----------------------------------------------------------------------------------


def _session_key(scenario: Scenario) -> str:
    return f"scenario-preview-{scenario.pk}"


def _preview_state(request: HttpRequest, scenario: Scenario) -> dict[str, Any] | None:
    """The last run asked for this scenario in this session: its status and, when done, its figures."""
    stored = request.session.get(_session_key(scenario))
    if not stored:
        return None
    # A backend that runs tasks at once and keeps no results (tests, a laptop): kept in the session.
    if "value" in stored:
        return {"status": "done", "result": _readable(stored["value"])}
    if "failed" in stored:
        return {"status": "failed"}
    try:
        result = scenario_preview_task.get_result(stored["id"])
    except (TaskResultDoesNotExist, NotImplementedError):
        return None
    organisation = request.organisation  # type: ignore[attr-defined]
    if (
        result.kwargs.get("organisation_id") != organisation.pk
        or result.kwargs.get("scenario_id") != scenario.pk
    ):
        raise Http404
    if result.status == TaskResultStatus.SUCCESSFUL:
        return {"status": "done", "result": _readable(result.return_value or {})}
    if result.status == TaskResultStatus.FAILED:
        return {"status": "failed"}
    return {"status": "running" if result.status == TaskResultStatus.RUNNING else "queued"}


def _readable(value: dict[str, Any]) -> dict[str, Any]:
    return {
        **value,
        "start": date.fromisoformat(value["from"]),
        "end": date.fromisoformat(value["to"]),
        "days": [
            {
                "date": date.fromisoformat(row["date"]),
                "steps": [(step_label(code), n) for code, n in row["steps"].items()],
            }
            for row in value["days"]
        ],
        "by_step": [(step_label(code), n) for code, n in value["by_step"].items()],
        "by_channel": [(_channel_label(c), n) for c, n in value["by_channel"].items()],
    }


@membership_required
def scenario_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the preview area (polled while the run is under way). POST: start a run, unless one is
    already under way for this scenario in this session (a second click starts nothing)."""
    scenario = _scenario(pk)
    state = _preview_state(request, scenario)
    if request.method == "POST" and (state is None or state["status"] in ("done", "failed")):
        organisation = request.organisation  # type: ignore[attr-defined]
        result = scenario_preview_task.enqueue(
            organisation_id=organisation.pk, scenario_id=scenario.pk, start=paris_today().isoformat()
        )
        if default_task_backend.supports_get_result:
            request.session[_session_key(scenario)] = {"id": result.id}
        elif result.status == TaskResultStatus.SUCCESSFUL:
            request.session[_session_key(scenario)] = {"value": result.return_value}
        else:
            request.session[_session_key(scenario)] = {"failed": True}
        state = _preview_state(request, scenario)
    context = {"scenario": scenario, "preview": state}
    if request.headers.get("HX-Request") or request.method == "GET":
        return render(request, "backoffice/scenarios/_preview.html", context)
    return redirect(reverse("backoffice:scenario-detail", kwargs={"pk": scenario.pk}) + "#preview")


urls: list[URLPattern] = [
    path("scenarios/", scenario_list, name="scenario-list"),
    path("scenarios/new/", scenario_new, name="scenario-new"),
    path("scenarios/<int:pk>/", scenario_detail, name="scenario-detail"),
    path("scenarios/<int:pk>/edit/", scenario_edit, name="scenario-edit"),
    path("scenarios/<int:pk>/delete/", scenario_remove, name="scenario-delete"),
    path("scenarios/<int:pk>/calendar/", scenario_calendar_part, name="scenario-calendar"),
    path("scenarios/<int:pk>/preview/", scenario_preview, name="scenario-preview"),
    path("scenarios/<int:pk>/steps/new/", step_edit, name="scenario-step-add"),
    path("scenarios/<int:pk>/steps/<int:step_pk>/", step_edit, name="scenario-step-edit"),
    path("scenarios/<int:pk>/steps/<int:step_pk>/move/", step_move, name="scenario-step-move"),
    path("scenarios/<int:pk>/steps/<int:step_pk>/delete/", step_remove, name="scenario-step-delete"),
]
