"""Notes and calls written down from the debtor page: recorded once per form token."""

from __future__ import annotations

import pytest

from recouvre.ledger.models import Debtor
from recouvre.timeline.domain.notes import NoteError, call_record, note_add
from recouvre.timeline.models import Event

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

CSV = "invoice_number;debtor_ref;debtor_name;issue_date;due_date;amount\nF-1;411A;Alpha;2026-08-01;2026-09-30;10.00\n"


@pytest.fixture
def debtor(organisation, import_csv, in_scope):
    assert import_csv(organisation, CSV).ok
    return Debtor.objects.get(ref="411A")


def test_a_note_is_an_event_with_its_author(organisation, debtor, manager):
    event = note_add(
        organisation=organisation, debtor=debtor, text="  Rappeler jeudi  ", actor=manager, token="t1"
    )
    assert (event.kind, event.summary, event.actor, event.data["text"]) == (
        "note",
        "Rappeler jeudi",
        manager,
        "Rappeler jeudi",
    )


def test_the_same_token_twice_records_one_note_and_another_token_a_second(organisation, debtor, manager):
    first = note_add(organisation=organisation, debtor=debtor, text="Appel reçu", actor=manager, token="abc")
    again = note_add(organisation=organisation, debtor=debtor, text="Appel reçu", actor=manager, token="abc")
    assert again.pk == first.pk
    note_add(organisation=organisation, debtor=debtor, text="Appel reçu", actor=manager, token="def")
    assert Event.objects.filter(kind="note").count() == 2


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001])
def test_empty_or_too_long_notes_are_refused(organisation, debtor, manager, text):
    with pytest.raises(NoteError):
        note_add(organisation=organisation, debtor=debtor, text=text, actor=manager)
    assert not Event.objects.filter(kind="note").exists()


def test_a_call_keeps_its_outcome_code_and_is_recorded_once_per_token(organisation, debtor, manager):
    for _ in range(2):
        event = call_record(
            organisation=organisation,
            debtor=debtor,
            outcome="no_answer",
            outcome_label="Pas de réponse",
            note="messagerie",
            actor=manager,
            token="tok",
        )
    assert Event.objects.filter(kind="call_recorded").count() == 1
    assert event.summary == "Appel : Pas de réponse — messagerie"
    assert event.data["outcome"] == "no_answer"
