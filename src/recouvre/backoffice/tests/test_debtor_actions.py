"""What a person does from the debtor page: each action through its form, refused input shown next
to its field with what was typed, roles, another organisation's debtor, and second clicks."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope

from recouvre.arrangements.models import Promise
from recouvre.disputes.models import Dispute
from recouvre.dunning.domain.scenarios import scenario_defaults_ensure
from recouvre.dunning.models import Action, ScenarioAssignment
from recouvre.ledger.models import Contact, Debtor, Hold, Invoice
from recouvre.testing.fixtures import TODAY
from recouvre.timeline.models import Event

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def dupont(organisation):
    with scope(organisation=organisation):
        return Debtor.objects.get(ref="411DUPONT")


def url(name, debtor, *extra):
    return reverse(f"backoffice:{name}", args=[debtor.pk, *extra])


def events(organisation, kind):
    with scope(organisation=organisation):
        return list(Event.objects.filter(kind=kind))


def token_of(page, form_action):
    form = page.split(f'action="{form_action}"')[1].split("</form>")[0]
    return re.search(r'name="token" value="([0-9a-f]+)"', form).group(1)


@pytest.fixture
def as_role(client, organisation, make_user):
    def sign_in(role):
        client.force_login(make_user(organisation, role))
        return client

    return sign_in


def test_a_note_is_added_once_even_when_the_form_is_sent_twice(signed_in, books):
    debtor = dupont(books)
    page = signed_in.get(url("debtor-detail", debtor)).content.decode()
    token = token_of(page, url("debtor-note", debtor))
    for _ in range(2):
        response = signed_in.post(url("debtor-note", debtor), {"text": "Rappeler jeudi", "token": token})
        assert response.status_code == 302
        assert response["Location"] == url("debtor-detail", debtor) + "#timeline-title"
    [note] = events(books, "note")
    assert note.summary == "Rappeler jeudi"
    page = signed_in.get(url("debtor-detail", debtor)).content.decode()
    assert "Note ajoutée." in page
    assert "Rappeler jeudi" in page.split('class="timeline"')[1]


def test_an_empty_note_is_refused_next_to_its_field(signed_in, books):
    debtor = dupont(books)
    response = signed_in.post(url("debtor-note", debtor), {"text": "   ", "token": "x"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'aria-invalid="true"' in page
    assert 'id="id_text_error"' in page
    assert events(books, "note") == []


def test_a_call_without_a_task_is_recorded_as_a_call_in_the_timeline(signed_in, books):
    debtor = dupont(books)
    data = {"outcome": "no_answer", "note": "messagerie pleine", "token": "call-1"}
    assert signed_in.post(url("debtor-call", debtor), data).status_code == 302
    assert signed_in.post(url("debtor-call", debtor), data).status_code == 302  # second click
    [call] = events(books, "call_recorded")
    assert (call.data["outcome"], call.data["note"]) == ("no_answer", "messagerie pleine")
    timeline = signed_in.get(url("debtor-detail", debtor)).content.decode().split('class="timeline"')[1]
    assert "Pas de réponse — messagerie pleine" in timeline


def test_a_call_with_an_open_call_task_completes_it(signed_in, books, manager):
    debtor = dupont(books)
    with scope(organisation=books):
        task = Action.objects.create(
            organisation=books, debtor=debtor, step="call", channel="call", scheduled_for=TODAY
        )
    data = {"outcome": "reached", "note": "paiement en cours", "token": "call-2"}
    assert signed_in.post(url("debtor-call", debtor), data).status_code == 302
    assert signed_in.post(url("debtor-call", debtor), {**data, "token": "call-3"}).status_code == 302
    with scope(organisation=books):
        task.refresh_from_db()
    assert (task.status, task.outcome, task.completed_by) == ("done", "reached", manager)
    assert len(events(books, "task_done")) == 1
    assert events(books, "call_recorded") == []


def test_a_call_with_a_promise_records_the_promise_and_refuses_a_missing_amount(signed_in, books):
    debtor = dupont(books)
    bad = {"outcome": "promise", "note": "rappel lundi", "promise_date": "2026-11-30", "token": "p"}
    response = signed_in.post(url("debtor-call", debtor), bad)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Indiquez le montant promis." in page
    assert "rappel lundi" in page  # what was typed stays
    good = {**bad, "promise_amount": "1 234,56"}
    assert signed_in.post(url("debtor-call", debtor), good).status_code == 302
    with scope(organisation=books):
        promise = Promise.objects.get(debtor=debtor)
    assert (promise.amount, str(promise.promised_date), promise.status) == (
        Decimal("1234.56"),
        "2026-11-30",
        "open",
    )


def test_a_promise_sent_twice_is_made_once(signed_in, books):
    debtor = dupont(books)
    data = {"amount": "500", "promised_date": "2026-12-05", "note": ""}
    assert signed_in.post(url("debtor-promise", debtor), data).status_code == 302
    assert signed_in.post(url("debtor-promise", debtor), data).status_code == 302
    with scope(organisation=books):
        assert list(Promise.objects.values_list("status", flat=True)) == ["open"]
    assert len(events(books, "promise_made")) == 1
    page = signed_in.get(url("debtor-detail", debtor)).content.decode()
    assert "promesse de paiement jusqu\u2019au" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"amount": "0", "promised_date": "2026-12-05"}, "amount", "supérieur à zéro"),
        ({"amount": "10", "promised_date": "2026-11-01"}, "promised_date", "ne peut pas être passée"),
        ({"amount": "abc", "promised_date": "2026-12-05"}, "amount", ""),
    ],
)
def test_bad_promises_are_refused(signed_in, books, data, field, message):
    response = signed_in.post(url("debtor-promise", dupont(books)), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="id_{field}_error"' in page
    assert message in page
    with scope(organisation=books):
        assert not Promise.objects.exists()


def test_a_dispute_is_opened_on_an_open_invoice_and_a_second_one_refused(signed_in, books):
    debtor = dupont(books)
    with scope(organisation=books):
        invoice = Invoice.objects.get(number="F-2026-001")
    data = {"invoice": invoice.pk, "reason": "quality", "comment": "pièces abîmées"}
    assert signed_in.post(url("debtor-dispute", debtor), data).status_code == 302
    response = signed_in.post(url("debtor-dispute", debtor), data)
    assert response.status_code == 400
    assert "Cette facture a déjà un litige ouvert." in response.content.decode()
    with scope(organisation=books):
        assert Dispute.objects.filter(invoice=invoice).count() == 1


def test_contacts_are_added_checked_edited_and_removed(signed_in, books):
    debtor = dupont(books)
    refused = signed_in.post(
        url("debtor-contact-add", debtor), {"kind": "email", "value": "pas-un-mail", "name": ""}
    )
    assert refused.status_code == 400
    assert "Adresse e-mail invalide." in refused.content.decode()
    assert 'value="pas-un-mail"' in refused.content.decode()
    added = signed_in.post(
        url("debtor-contact-add", debtor), {"kind": "phone", "value": "04 78 12 34 56", "name": "Accueil"}
    )
    assert added.status_code == 302
    with scope(organisation=books):
        phone = Contact.objects.get(debtor=debtor, value="+33478123456")
    prefix = f"contact-{phone.pk}"
    bad_edit = signed_in.post(
        url("debtor-contact-edit", debtor, phone.pk), {f"{prefix}-value": "12", f"{prefix}-name": ""}
    )
    assert bad_edit.status_code == 400
    assert "Numéro de téléphone invalide." in bad_edit.content.decode()
    edited = signed_in.post(
        url("debtor-contact-edit", debtor, phone.pk),
        {f"{prefix}-value": "06 11 22 33 44", f"{prefix}-name": "M. Roux"},
    )
    assert edited.status_code == 302
    with scope(organisation=books):
        phone.refresh_from_db()
    assert (phone.value, phone.is_mobile, phone.name) == ("+33611223344", True, "M. Roux")
    for _ in range(2):
        assert signed_in.post(url("debtor-contact-remove", debtor, phone.pk)).status_code == 302
    with scope(organisation=books):
        assert not Contact.objects.filter(pk=phone.pk).exists()
    assert len(events(books, "contact_changed")) == 3


def test_identity_is_edited_with_checked_identifiers(signed_in, books):
    debtor = dupont(books)
    form = {
        "name": "Dupont Industrie SAS",
        "debtor_type": "B2B",
        "segment": "ETI",
        "siren": "732829321",
        "vat_number": "",
        "address": "12 rue des Lilas",
        "postcode": "69003",
        "city": "Lyon",
        "country": "FR",
        "language": "fr",
    }
    refused = signed_in.post(url("debtor-identity", debtor), form)
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "SIREN invalide" in page
    assert 'value="Dupont Industrie SAS"' in page
    assert signed_in.post(url("debtor-identity", debtor), {**form, "siren": "732 829 320"}).status_code == 302
    with scope(organisation=books):
        debtor.refresh_from_db()
    assert (debtor.name, debtor.segment, debtor.siren) == ("Dupont Industrie SAS", "ETI", "732829320")
    [event] = events(books, "debtor_updated")
    assert event.data["changes"]["segment"] == ["PME", "ETI"]


def test_a_manager_pauses_and_resumes_the_reminders(signed_in, books):
    debtor = dupont(books)
    refused = signed_in.post(url("debtor-pause", debtor), {"until": "2026-11-01", "reason": "x"})
    assert refused.status_code == 400
    for _ in range(2):
        assert (
            signed_in.post(
                url("debtor-pause", debtor), {"until": "2026-12-15", "reason": "Accord commercial"}
            ).status_code
            == 302
        )
    assert len(events(books, "debtor_paused")) == 1
    page = signed_in.get(url("debtor-detail", debtor)).content.decode()
    assert "relances suspendues jusqu\u2019au 15/12/2026" in page
    assert "Reprendre les relances" in page
    for _ in range(2):
        assert signed_in.post(url("debtor-resume", debtor)).status_code == 302
    assert len(events(books, "debtor_resumed")) == 1
    with scope(organisation=books):
        assert not Hold.objects.filter(released_on__isnull=True).exists()


def test_a_manager_changes_the_scenario(signed_in, books):
    debtor = dupont(books)
    with scope(organisation=books):
        scenario = scenario_defaults_ensure(organisation=books)
    assert signed_in.post(url("debtor-scenario", debtor), {"scenario": scenario.pk}).status_code == 302
    assert signed_in.post(url("debtor-scenario", debtor), {"scenario": scenario.pk}).status_code == 302
    with scope(organisation=books):
        assert ScenarioAssignment.objects.get(debtor=debtor).scenario == scenario
    assert len(events(books, "scenario_changed")) == 1
    assert "choisi pour ce débiteur" in signed_in.get(url("debtor-detail", debtor)).content.decode()
    assert signed_in.post(url("debtor-scenario", debtor), {"scenario": "999999"}).status_code == 400


def test_a_one_off_message_is_planned_once_and_shown_in_the_timeline(signed_in, books):
    debtor = dupont(books)
    for _ in range(2):
        assert (
            signed_in.post(url("debtor-message", debtor), {"message": "reminder_1:email"}).status_code == 302
        )
    with scope(organisation=books):
        [action] = Action.objects.filter(debtor=debtor)
    assert (action.case_id, action.status, action.scheduled_for) == (None, "planned", TODAY)
    assert action.invoice_numbers == ["F-2026-001"]  # F-2026-004 is disputed, F-2026-002 not due
    timeline = signed_in.get(url("debtor-detail", debtor)).content.decode().split('class="timeline"')[1]
    assert "Relance 1 (E-mail)" in timeline
    assert reverse("backoffice:action-detail", args=[action.pk]) in timeline


def test_a_one_off_message_that_cannot_leave_is_refused_on_its_field(signed_in, books):
    with scope(organisation=books):
        martin = Debtor.objects.get(ref="411MARTIN")  # no email address
    response = signed_in.post(url("debtor-message", martin), {"message": "reminder_1:email"})
    assert response.status_code == 400
    assert "Aucune adresse e-mail valide pour ce débiteur." in response.content.decode()
    assert signed_in.post(url("debtor-message", martin), {"message": "nonsense"}).status_code == 400


def test_an_agent_works_the_debtor_but_cannot_pause_or_change_its_scenario(as_role, books):
    client = as_role("agent")
    debtor = dupont(books)
    assert client.post(url("debtor-note", debtor), {"text": "ok", "token": "a"}).status_code == 302
    assert client.post(url("debtor-pause", debtor), {"until": "2026-12-15", "reason": "x"}).status_code == 403
    assert client.post(url("debtor-resume", debtor)).status_code == 403
    assert client.post(url("debtor-scenario", debtor), {"scenario": ""}).status_code == 403
    page = client.get(url("debtor-detail", debtor)).content.decode()
    assert "Enregistrer un appel" in page
    assert "Suspendre les relances" not in page


@pytest.mark.parametrize(
    "name",
    [
        "debtor-note",
        "debtor-call",
        "debtor-promise",
        "debtor-dispute",
        "debtor-message",
        "debtor-identity",
        "debtor-contact-add",
    ],
)
def test_a_viewer_reads_but_every_action_is_refused(as_role, books, name):
    client = as_role("viewer")
    debtor = dupont(books)
    assert client.post(url(name, debtor), {"text": "x", "token": "v"}).status_code == 403
    assert events(books, "note") == []
    page = client.get(url("debtor-detail", debtor)).content.decode()
    assert "Enregistrer un appel" not in page
    assert "Modifier l\u2019identité" not in page


def test_another_organisations_debtor_is_a_404_for_every_action(signed_in, books, other_organisation):
    with scope(organisation=other_organisation):
        foreign = Debtor.objects.get(ref="411SECRET")
    for name in ["debtor-note", "debtor-call", "debtor-pause", "debtor-message", "debtor-identity"]:
        assert signed_in.post(url(name, foreign), {"text": "x"}).status_code == 404
    with scope(organisation=books):
        contact = Contact.objects.filter(debtor__ref="411DUPONT").first()
    # A contact of this organisation reached through another debtor's URL: 404 as well.
    with scope(organisation=books):
        martin = Debtor.objects.get(ref="411MARTIN")
    assert signed_in.post(url("debtor-contact-remove", martin, contact.pk)).status_code == 302
    with scope(organisation=books):
        assert Contact.objects.filter(pk=contact.pk).exists()
    assert signed_in.post(url("debtor-contact-edit", martin, contact.pk), {}).status_code == 404


def test_actions_take_post_only_and_a_signed_in_person(client, signed_in, books):
    debtor = dupont(books)
    assert signed_in.get(url("debtor-note", debtor)).status_code == 405
    signed_in.logout()
    response = client.post(url("debtor-note", debtor), {"text": "x"})
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_a_manager_gives_the_account_to_an_agent_but_not_to_a_viewer(signed_in, books, make_user):
    debtor = dupont(books)
    agent = make_user(books, "agent")
    viewer = make_user(books, "viewer")
    assert signed_in.post(url("debtor-agent", debtor), {"agent": viewer.pk}).status_code == 400
    for _ in range(2):
        assert signed_in.post(url("debtor-agent", debtor), {"agent": agent.pk}).status_code == 302
    with scope(organisation=books):
        debtor.refresh_from_db()
    assert debtor.agent == agent
    assert len(events(books, "agent_assigned")) == 1
    assert signed_in.post(url("debtor-agent", debtor), {"agent": ""}).status_code == 302
    with scope(organisation=books):
        debtor.refresh_from_db()
    assert debtor.agent is None
