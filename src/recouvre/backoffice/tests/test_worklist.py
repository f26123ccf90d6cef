"""The agents' worklist: today's calls in priority order, one screen per call, the next debtor.

Books (conftest): Dupont owes 1 234,56 € overdue since 30/09/2026 (53 days on TODAY; its disputed
80 € and its invoice not yet due do not count), priority 65 431,68; Martin owes 99,90 € since
31/10/2026 (22 days), priority 2 197,80."""

import html
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from recouvre.arrangements.models import Promise
from recouvre.dunning.enums import ActionStatus
from recouvre.dunning.models import Action
from recouvre.ledger.models import Debtor
from recouvre.testing.fixtures import TODAY
from recouvre.timeline.enums import EventKind
from recouvre.timeline.models import Event

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def make_action(organisation, ref="411DUPONT", **fields):
    values = {"step": "call", "channel": "call", "status": ActionStatus.PLANNED, "scheduled_for": TODAY}
    with scope(organisation=organisation):
        return Action.objects.create(
            organisation=organisation, debtor=Debtor.objects.get(ref=ref), **{**values, **fields}
        )


def assign(organisation, ref, user):
    with scope(organisation=organisation):
        Debtor.objects.filter(ref=ref).update(agent=user)


def fresh(organisation, action):
    with scope(organisation=organisation):
        return Action.objects.get(pk=action.pk)


def text(response):
    return html.unescape(response.content.decode())


def listed(response):
    return [row.action.pk for row in response.context["rows"]]


@pytest.fixture
def agent(books, make_user):
    return make_user(books, "agent")


@pytest.fixture
def calls(books, other_organisation):
    """Two open calls, and what the worklist leaves out."""
    found = {
        "dupont": make_action(books),
        "martin": make_action(books, "411MARTIN", scheduled_for=TODAY - timedelta(days=2)),
    }
    make_action(books, step="call_later", scheduled_for=TODAY + timedelta(days=1))
    make_action(books, step="done_call", status=ActionStatus.DONE, outcome="reached")
    make_action(books, step="reminder_1", channel="email")  # a message, not a call
    make_action(other_organisation, "411SECRET")
    return found


def test_the_worklist_orders_todays_calls_by_amount_times_days_overdue(client, agent, calls):
    client.force_login(agent)
    response = client.get(reverse("backoffice:worklist"))
    assert response.status_code == 200
    assert listed(response) == [calls["dupont"].pk, calls["martin"].pk]
    first, second = response.context["rows"]
    assert (first.ranked.days_overdue, str(first.ranked.priority)) == (53, "65431.68")
    assert (second.ranked.days_overdue, str(second.ranked.priority)) == (22, "2197.80")
    page = text(response)
    assert '<a href="tel:+33612345678">+33 6 12 34 56 78</a>' in page
    assert "1\xa0234,56\xa0€" in page
    assert "99,90\xa0€" in page
    assert "53 jours" in page
    assert "65\xa0432" in page or "65 432" in page  # the priority, rounded, French grouping
    assert "prévue le 20/11/2026" in page  # Martin's call is two days late
    assert "Secret" not in page
    assert 'aria-current="page">Appels</a>' in page
    assert f'href="{reverse("backoffice:worklist-call", args=[calls["dupont"].pk])}"' in page


def test_the_signed_in_agents_debtors_come_first_and_can_be_shown_alone(client, books, agent, calls):
    assign(books, "411MARTIN", agent)
    client.force_login(agent)
    response = client.get(reverse("backoffice:worklist"))
    assert listed(response) == [calls["martin"].pk, calls["dupont"].pk]
    assert "1 pour vous" in text(response)
    mine = client.get(reverse("backoffice:worklist"), {"mine": "1"})
    assert listed(mine) == [calls["martin"].pk]


def test_disputed_and_held_invoices_are_not_at_stake(client, books, agent, calls):
    client.force_login(agent)
    [dupont, _martin] = client.get(reverse("backoffice:worklist")).context["rows"]
    assert str(dupont.ranked.candidate.amount_at_stake) == "1234.56"  # F-2026-004 (80 €) disputed


def test_an_empty_worklist_says_so(client, agent):
    client.force_login(agent)
    response = client.get(reverse("backoffice:worklist"))
    assert "Aucun appel à faire aujourd\u2019hui." in text(response)
    mine = client.get(reverse("backoffice:worklist"), {"mine": "1"})
    assert "Aucun appel à faire aujourd\u2019hui pour vos débiteurs." in text(mine)


def test_one_screen_per_call_has_the_script_invoices_history_and_the_outcome_form(client, agent, calls):
    client.force_login(agent)
    response = client.get(reverse("backoffice:worklist-call", args=[calls["dupont"].pk]))
    assert response.status_code == 200
    page = text(response)
    assert "Appel 1 sur 2" in page
    assert 'href="tel:+33612345678"' in page
    assert "Appel de relance \u2013 Dupont Industrie (411DUPONT)" in page  # the script's title
    assert "F-2026-001" in page
    assert "Litige ouvert" in page  # the timeline
    for outcome in ("reached", "promise", "dispute", "no_answer", "wrong_number", "refuses"):
        assert f'value="{outcome}"' in page
    assert f'action="{reverse("backoffice:worklist-call", args=[calls["dupont"].pk])}"' in page
    assert "Enregistrer et passer au suivant" in page
    assert reverse("backoffice:worklist-next", args=[calls["dupont"].pk]) in page


def test_saving_an_outcome_goes_to_the_next_debtor_then_back_to_the_list(client, books, agent, calls):
    client.force_login(agent)
    response = client.post(
        reverse("backoffice:worklist-call", args=[calls["dupont"].pk]),
        {
            "outcome": "promise",
            "promise_amount": "1 234,56",
            "promise_date": "2026-11-30",
            "note": "Vendredi",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:worklist-call", args=[calls["martin"].pk])
    done = fresh(books, calls["dupont"])
    assert (done.status, done.outcome, done.completed_by) == (ActionStatus.DONE, "promise", agent)
    with scope(organisation=books):
        assert Promise.objects.get().debtor_id == done.debtor_id
    following = client.get(response["Location"])
    assert "Tâche terminée pour Dupont Industrie : Promesse de paiement." in text(following)
    assert "Appel 1 sur 1" in text(following)
    last = client.post(response["Location"], {"outcome": "no_answer"})
    assert last["Location"] == reverse("backoffice:worklist")
    assert fresh(books, calls["martin"]).outcome == "no_answer"
    assert listed(client.get(reverse("backoffice:worklist"))) == []


def test_skipping_goes_to_the_next_debtor_and_changes_nothing(client, books, agent, calls):
    client.force_login(agent)
    response = client.get(reverse("backoffice:worklist-next", args=[calls["dupont"].pk]))
    assert response["Location"] == reverse("backoffice:worklist-call", args=[calls["martin"].pk])
    assert fresh(books, calls["dupont"]).status == ActionStatus.PLANNED
    end = client.get(reverse("backoffice:worklist-next", args=[calls["martin"].pk]))
    assert end["Location"] == reverse("backoffice:worklist")


def test_a_second_click_on_save_does_not_record_the_outcome_twice(client, books, agent, calls):
    client.force_login(agent)
    url = reverse("backoffice:worklist-call", args=[calls["dupont"].pk])
    assert client.post(url, {"outcome": "reached", "note": "OK"}).status_code == 302
    again = client.post(url, {"outcome": "refuses"})
    assert again.status_code == 400
    assert "Terminée : Joint" in text(again)
    assert fresh(books, calls["dupont"]).outcome == "reached"
    with scope(organisation=books):
        assert (
            Event.objects.filter(kind=EventKind.TASK_DONE, debtor_id=calls["dupont"].debtor_id).count() == 1
        )


def test_a_bad_outcome_is_refused_next_to_the_field_and_what_was_typed_is_kept(client, books, agent, calls):
    client.force_login(agent)
    response = client.post(
        reverse("backoffice:worklist-call", args=[calls["dupont"].pk]),
        {"outcome": "promise", "promise_date": "2026-11-30", "note": "à rappeler"},
    )
    assert response.status_code == 400
    page = text(response)
    assert 'id="id_promise_amount_error" class="field-error">Indiquez le montant promis.' in page
    assert "à rappeler</textarea>" in page
    assert fresh(books, calls["dupont"]).status == ActionStatus.PLANNED
    with scope(organisation=books):
        assert not Promise.objects.exists()


def test_a_viewer_reads_the_worklist_but_cannot_record_an_outcome(client, books, make_user, calls):
    client.force_login(make_user(books, "viewer"))
    assert client.get(reverse("backoffice:worklist")).status_code == 200
    url = reverse("backoffice:worklist-call", args=[calls["dupont"].pk])
    assert "Terminer une tâche demande le rôle de chargé de recouvrement." in text(client.get(url))
    assert client.post(url, {"outcome": "reached"}).status_code == 403
    assert fresh(books, calls["dupont"]).status == ActionStatus.PLANNED


def test_another_organisations_call_and_a_message_are_404(client, books, agent, other_organisation):
    foreign = make_action(other_organisation, "411SECRET")
    message = make_action(books, step="reminder_1", channel="email")
    client.force_login(agent)
    for action in (foreign, message):
        assert client.get(reverse("backoffice:worklist-call", args=[action.pk])).status_code == 404
        assert (
            client.post(
                reverse("backoffice:worklist-call", args=[action.pk]), {"outcome": "reached"}
            ).status_code
            == 404
        )
    assert fresh(other_organisation, foreign).status == ActionStatus.PLANNED


def test_the_worklist_needs_a_sign_in(client, calls):
    response = client.get(reverse("backoffice:worklist"))
    assert response.status_code == 302
    assert reverse("backoffice:login") in response["Location"]


def test_the_worklist_takes_the_same_number_of_queries_whatever_the_number_of_calls(
    client, books, agent, calls
):
    client.force_login(agent)
    client.get(reverse("backoffice:worklist"))  # the session is saved on the first request
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("backoffice:worklist"))
    for n in range(30):
        make_action(books, "411MARTIN" if n % 2 else "411DUPONT", step=f"call_{n}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("backoffice:worklist"))
    assert len(listed(response)) == 32
    # The session, the user and the membership; the calls, the amounts at stake; the page's actions and phones.
    assert len(many.captured_queries) == len(few.captured_queries) == 7
