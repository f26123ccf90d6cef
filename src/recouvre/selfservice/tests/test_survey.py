"""The satisfaction answer after a closed case: one per case, a score from 0 to 10, on the timeline."""

from datetime import date

import pytest
from django_scopes import scope

from recouvre.ledger.models import Debtor
from recouvre.selfservice.domain.survey import SurveyError, survey_answer, survey_answered
from recouvre.selfservice.models import SurveyAnswer
from recouvre.timeline.models import Event

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

CSV = (
    "invoice_number;debtor_ref;debtor_name;issue_date;due_date;amount\n"
    "Q-1;411ALPHA;Alpha SARL;2026-09-01;2026-10-01;100.00\n"
)


@pytest.fixture
def alpha(organisation, import_csv, in_scope):
    assert import_csv(organisation, CSV, today=date(2026, 11, 22)).ok
    return Debtor.objects.get(ref="411ALPHA")


def test_an_answer_is_kept_with_its_comment_and_told_on_the_timeline(organisation, alpha):
    answer = survey_answer(organisation=organisation, debtor=alpha, case_id=41, score=9, comment="  Rapide. ")
    stored = SurveyAnswer.objects.get(pk=answer.pk)
    assert (stored.debtor_id, stored.case_id, stored.score, stored.comment) == (alpha.pk, 41, 9, "Rapide.")
    assert survey_answered(debtor=alpha, case_id=41)
    assert not survey_answered(debtor=alpha, case_id=42)
    event = Event.objects.filter(debtor=alpha, data__survey=answer.pk).get()
    assert event.summary == "Enquête de satisfaction : 9/10 — Rapide."


def test_a_second_answer_for_the_same_case_is_refused_and_the_first_stands(organisation, alpha):
    survey_answer(organisation=organisation, debtor=alpha, case_id=41, score=3, comment="")
    with pytest.raises(SurveyError) as refused:
        survey_answer(organisation=organisation, debtor=alpha, case_id=41, score=10, comment="en fait oui")
    assert refused.value.reason == "already_answered"
    assert list(SurveyAnswer.objects.values_list("score", flat=True)) == [3]
    # Another case of the same debtor gets its own answer.
    survey_answer(organisation=organisation, debtor=alpha, case_id=57, score=10, comment="")
    assert SurveyAnswer.objects.filter(debtor=alpha).count() == 2


@pytest.mark.parametrize("score", [-1, 11, "7", 7.0, True, None])
def test_a_score_outside_0_to_10_is_refused(organisation, alpha, score):
    with pytest.raises(SurveyError) as refused:
        survey_answer(organisation=organisation, debtor=alpha, case_id=41, score=score, comment="")
    assert refused.value.reason == "score"
    assert not SurveyAnswer.objects.exists()


@pytest.mark.parametrize("score", [0, 10])
def test_both_ends_of_the_scale_are_accepted(organisation, alpha, score):
    assert (
        survey_answer(organisation=organisation, debtor=alpha, case_id=1, score=score, comment="").score
        == score
    )


def test_answers_are_scoped_to_their_organisation(organisation, other_organisation, alpha):
    survey_answer(organisation=organisation, debtor=alpha, case_id=41, score=8, comment="")
    with scope(organisation=other_organisation):
        assert not SurveyAnswer.objects.exists()
