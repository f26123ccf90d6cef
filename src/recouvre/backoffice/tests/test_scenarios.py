"""The scenario editor: list, one scenario, its steps edited, moved and removed, the calendar of a
case opening today, and the 30-day dry run in the background."""

import re

import pytest
from django.urls import reverse
from django_scopes import scope

from recouvre.audit.models import AuditEntry
from recouvre.dunning.domain.scenario_editing import scenario_create
from recouvre.dunning.domain.scenarios import scenario_defaults_ensure
from recouvre.dunning.models import Scenario, ScenarioAssignment, ScenarioStep
from recouvre.ledger.models import Debtor
from recouvre.timeline.models import Event

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def default(organisation):
    with scope(organisation=organisation):
        return scenario_defaults_ensure(organisation=organisation)


def step_of(scenario, code, **filters):
    with scope(organisation=scenario.organisation):
        return (
            ScenarioStep.objects.filter(scenario=scenario, code=code, **filters).order_by("position").first()
        )


def codes(scenario):
    with scope(organisation=scenario.organisation):
        return list(
            ScenarioStep.objects.filter(scenario=scenario).order_by("position").values_list("code", flat=True)
        )


def step_post(**overrides):
    data = {"code": "reminder_1", "day": "4", "channel": "email", "tone": "courteous", **overrides}
    return {k: v for k, v in data.items() if v is not None}


def test_list_shows_the_default_scenario_to_any_member(client, organisation, make_user):
    client.force_login(make_user(organisation, "viewer"))
    response = client.get(reverse("backoffice:scenario-list"))
    assert response.status_code == 200
    assert "B2B standard" in response.content.decode()
    assert "Créer le scénario" not in response.content.decode()  # a viewer does not get the form


def test_edit_a_step_day_channel_and_approval_saved_and_visible(signed_in, organisation, default):
    step = step_of(default, "letter")
    url = reverse("backoffice:scenario-step-edit", args=[default.pk, step.pk])
    form = signed_in.get(url)
    assert form.status_code == 200
    assert 'value="25"' in form.content.decode()

    response = signed_in.post(
        url, step_post(code="letter", day="28", channel="registered_letter", needs_approval="on")
    )
    assert response.status_code == 302
    step.refresh_from_db()
    assert (step.day, step.channel, step.needs_approval) == (28, "registered_letter", True)
    page = signed_in.get(reverse("backoffice:scenario-detail", args=[default.pk])).content.decode()
    row = re.search(rf'<tr id="step-{step.pk}">(.*?)</tr>', page, re.S).group(1)
    assert "28" in row
    assert "Lettre recommandée" in row
    assert "Oui" in row
    with scope(organisation=organisation):
        entry = AuditEntry.objects.get(object_type="scenario_step", object_id=str(step.pk))
    assert entry.action == "update"
    assert entry.channel == "web"
    assert entry.changes["day"] == [25, 28]


def test_a_bad_step_is_refused_next_to_its_field_and_what_was_typed_is_kept(signed_in, default):
    step = step_of(default, "reminder_2")
    url = reverse("backoffice:scenario-step-edit", args=[default.pk, step.pk])
    response = signed_in.post(url, step_post(code="reminder_2", day="400", tone="ferme"))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_day-error"' in page
    assert "entre 1 et 365" in page
    assert 'aria-describedby="id_day-error id_day_helptext"' in page
    assert 'aria-invalid="true"' in page
    assert 'value="400"' in page
    assert 'value="ferme"' in page
    step.refresh_from_db()
    assert step.day == 10
    # Not a number at all: a form error too, never a traceback.
    assert signed_in.post(url, step_post(code="reminder_2", day="dix")).status_code == 400
    # A channel the step cannot use.
    response = signed_in.post(url, step_post(code="reminder_2", day="10", channel="sms"))
    assert response.status_code == 400
    assert 'id="id_channel-error"' in response.content.decode()


def test_formal_notice_cannot_lose_its_approval(signed_in, default):
    step = step_of(default, "formal_notice")
    url = reverse("backoffice:scenario-step-edit", args=[default.pk, step.pk])
    response = signed_in.post(url, step_post(code="formal_notice", day="35", channel="registered_letter"))
    assert response.status_code == 400
    assert "approbation" in response.content.decode()
    step.refresh_from_db()
    assert step.needs_approval is True


def test_add_a_step_lands_by_day_and_a_second_click_adds_nothing(signed_in, default):
    url = reverse("backoffice:scenario-step-add", args=[default.pk])
    assert signed_in.get(url).status_code == 200
    with scope(organisation=default.organisation):
        ScenarioStep.objects.filter(scenario=default, code="sms").delete()
    data = step_post(code="sms", day="12", channel="sms", tone="short")
    assert signed_in.post(url, data).status_code == 302
    assert codes(default).index("sms") == codes(default).index("reminder_2") + 1
    # The same form posted again: the step exists for the same debtors, refused.
    again = signed_in.post(url, data)
    assert again.status_code == 400
    assert codes(default).count("sms") == 1


def test_same_code_twice_only_with_disjoint_conditions(signed_in, default):
    url = reverse("backoffice:scenario-step-add", args=[default.pk])
    overlapping = signed_in.post(url, step_post(code="call", day="18", channel="call", debtor_types=["B2B"]))
    assert overlapping.status_code == 400
    disjoint = signed_in.post(
        url,
        step_post(
            code="letter", day="30", channel="letter", debtor_types=None, segments=None, profiles=["late"]
        ),
    )
    # `letter` has no condition in B2B standard: any other row overlaps it.
    assert disjoint.status_code == 400
    with scope(organisation=default.organisation):
        ScenarioStep.objects.filter(scenario=default, code="letter").update(profiles=["standard", "good"])
    assert (
        signed_in.post(
            url, step_post(code="letter", day="20", channel="letter", profiles=["late"])
        ).status_code
        == 302
    )
    assert codes(default).count("letter") == 2


def test_move_up_twice_with_the_same_form_moves_once(signed_in, default):
    step = step_of(default, "reminder_2")
    before = codes(default)
    url = reverse("backoffice:scenario-step-move", args=[default.pk, step.pk])
    data = {"direction": "up", "position": step.position}
    assert signed_in.post(url, data).status_code == 302
    assert signed_in.post(url, data).status_code == 302
    after = codes(default)
    i = before.index("reminder_2")
    assert after[i - 1] == "reminder_2"
    assert after[i] == before[i - 1]
    assert signed_in.post(url, {"direction": "sideways", "position": 1}).status_code == 400
    assert signed_in.post(url, {"direction": "up", "position": "x"}).status_code == 400


def test_remove_a_step_then_the_second_click_says_so(signed_in, default):
    step = step_of(default, "litigation_review")
    url = reverse("backoffice:scenario-step-delete", args=[default.pk, step.pk])
    assert signed_in.post(url).status_code == 302
    assert "litigation_review" not in codes(default)
    response = signed_in.post(url, follow=True)
    assert response.status_code == 200
    assert "déjà été supprimée" in response.content.decode()
    with scope(organisation=default.organisation):
        assert AuditEntry.objects.filter(object_type="scenario_step", action="delete").count() == 1


def test_create_rename_and_delete_a_scenario(signed_in, organisation, default):
    response = signed_in.post(reverse("backoffice:scenario-new"), {"name": "Grands comptes", "segment": "GE"})
    assert response.status_code == 302
    with scope(organisation=organisation):
        created = Scenario.objects.get(name="Grands comptes")
    assert codes(created) == codes(default)
    # A second scenario for the same debtors would never apply: refused next to the field.
    again = signed_in.post(reverse("backoffice:scenario-new"), {"name": "Autre", "segment": "GE"})
    assert again.status_code == 400
    assert 'id="id_segment-error"' in again.content.decode()
    duplicate = signed_in.post(reverse("backoffice:scenario-new"), {"name": "grands comptes"})
    assert duplicate.status_code == 400
    assert 'id="id_name-error"' in duplicate.content.decode()

    edit = reverse("backoffice:scenario-edit", args=[created.pk])
    assert signed_in.get(edit).status_code == 200
    data = {
        "name": "Grands comptes 2027",
        "segment": "GE",
        "good_payer_delay_days": "7",
        "good_payer_delay_from": "reminder_1",
    }
    assert signed_in.post(edit, data).status_code == 302
    created.refresh_from_db()
    assert (created.name, created.good_payer_delay_days, created.good_payer_delay_from) == (
        "Grands comptes 2027",
        7,
        "reminder_1",
    )

    delete = reverse("backoffice:scenario-delete", args=[created.pk])
    assert "Aucun débiteur" in signed_in.get(delete).content.decode()
    assert signed_in.post(delete, {"confirm": "yes"}).status_code == 302
    with scope(organisation=organisation):
        assert not Scenario.objects.filter(pk=created.pk).exists()
        assert AuditEntry.objects.filter(object_type="scenario", action="delete").exists()


def test_deleting_a_scenario_with_assigned_debtors_says_what_happens(signed_in, organisation, manager, books):
    with scope(organisation=organisation):
        scenario = scenario_create(organisation=organisation, name="Sensible", actor=manager)
        debtor = Debtor.objects.get(ref="411DUPONT")
        ScenarioAssignment.objects.create(organisation=organisation, debtor=debtor, scenario=scenario)
    url = reverse("backoffice:scenario-delete", args=[scenario.pk])
    page = signed_in.get(url).content.decode()
    assert "1 débiteur est affecté" in page
    # Posted without the confirmation: nothing deleted, the page says it again.
    assert signed_in.post(url).status_code == 409
    assert signed_in.post(url, {"confirm": "yes"}).status_code == 302
    with scope(organisation=organisation):
        assert not Scenario.objects.filter(pk=scenario.pk).exists()
        assert not ScenarioAssignment.objects.filter(debtor=debtor).exists()
        assert Event.objects.filter(debtor=debtor, kind="scenario_changed").exists()


def test_the_default_scenario_cannot_be_deleted(signed_in, default):
    response = signed_in.post(reverse("backoffice:scenario-delete", args=[default.pk]), {"confirm": "yes"})
    assert response.status_code == 302
    with scope(organisation=default.organisation):
        assert Scenario.objects.filter(pk=default.pk).exists()


def test_agent_and_viewer_read_but_cannot_change(client, organisation, make_user, default):
    step = step_of(default, "letter")
    for role in ("agent", "viewer"):
        client.force_login(make_user(organisation, role))
        assert client.get(reverse("backoffice:scenario-detail", args=[default.pk])).status_code == 200
        edit = reverse("backoffice:scenario-step-edit", args=[default.pk, step.pk])
        assert client.get(edit).status_code == 403
        assert client.post(edit, step_post(code="letter", day="2", channel="letter")).status_code == 403
        assert (
            client.post(reverse("backoffice:scenario-step-delete", args=[default.pk, step.pk])).status_code
            == 403
        )
        assert client.post(reverse("backoffice:scenario-new"), {"name": "X"}).status_code == 403
    step.refresh_from_db()
    assert step.day == 25


def test_another_organisations_scenario_is_a_404(signed_in, other_organisation):
    with scope(organisation=other_organisation):
        theirs = scenario_defaults_ensure(organisation=other_organisation)
        step = ScenarioStep.objects.filter(scenario=theirs).first()
    assert signed_in.get(reverse("backoffice:scenario-detail", args=[theirs.pk])).status_code == 404
    edit = reverse("backoffice:scenario-step-edit", args=[theirs.pk, step.pk])
    assert signed_in.post(edit, step_post(code="letter", day="2", channel="letter")).status_code == 404
    assert signed_in.post(reverse("backoffice:scenario-preview", args=[theirs.pk])).status_code == 404


def test_calendar_per_variant(signed_in, default):
    url = reverse("backoffice:scenario-calendar", args=[default.pk])
    b2b = signed_in.get(url, {"type": "B2B"}).content.decode()
    public = signed_in.get(url, {"type": "PUBLIC"}).content.decode()
    assert "SMS" in b2b
    assert ">SMS<" not in public
    # TODAY is Sunday 22/11/2026: reminder_1 (day 3 after a due date of 21/11) falls on 24/11.
    assert "24/11/2026" in b2b
    good = signed_in.get(url, {"type": "B2B", "profile": "good"}).content.decode()
    assert "06/12/2026" in good  # reminder_2 day 10 + 5 for a good payer: 21/11 + 15
    assert signed_in.get(url, {"type": "nonsense"}).status_code == 200  # unknown values fall back


def test_preview_runs_in_the_background_and_is_polled(signed_in, organisation, books, default, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    url = reverse("backoffice:scenario-preview", args=[default.pk])
    response = signed_in.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = response.content.decode()
    assert "débiteurs concernés" in page or "débiteur concerné" in page
    assert "Relance 1" in page  # Martin & Fils's invoice is overdue with no case yet
    # Rolled back: nothing was planned for real.
    with scope(organisation=organisation):
        from recouvre.dunning.models import Action

        assert not Action.objects.exists()
    detail = signed_in.get(reverse("backoffice:scenario-detail", args=[default.pk])).content.decode()
    assert "Relance 1" in detail
    assert 'id="preview-area"' in detail


# The worker closes its database connection when done: a real transaction, as in imports' test_tasks.
@pytest.mark.django_db(transaction=True)
def test_preview_queued_is_polled_until_the_worker_stores_it(
    signed_in, organisation, books, default, settings
):
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    url = reverse("backoffice:scenario-preview", args=[default.pk])
    first = signed_in.post(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in first
    assert "en attente" in first
    # A second click while it waits starts nothing.
    signed_in.post(url, HTTP_HX_REQUEST="true")
    assert DBTaskResult.objects.count() == 1

    call_command("db_worker", batch=True, queue_name="*", startup_delay=False, reload=False, verbosity=0)

    polled = signed_in.get(url).content.decode()
    assert "every 2s" not in polled
    assert "Relance 1" in polled
