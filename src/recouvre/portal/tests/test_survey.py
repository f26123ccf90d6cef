"""The satisfaction question on the portal: once per closed case, the latest one first, refused
politely when answered twice, and the invitation only once nothing is owed."""

import html
from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string
from django_scopes import scope

from recouvre.dunning.models import Case
from recouvre.ledger.models import Debtor
from recouvre.portal.survey import survey_case_id, survey_invite
from recouvre.selfservice.domain.links import portal_token
from recouvre.selfservice.models import SurveyAnswer

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

TODAY = date(2026, 11, 23)
CSV = (
    "invoice_number;debtor_ref;debtor_name;issue_date;due_date;amount;open_amount;paid_date\n"
    "Q-1;411ALPHA;Alpha SARL;2026-08-01;2026-09-01;100.00;0;2026-10-15\n"
    "Q-2;411OWING;Owing SAS;2026-09-01;2026-10-01;250.00;;\n"
)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("recouvre.portal.access.paris_today", lambda: TODAY)
    cache.clear()


@pytest.fixture
def debtors(organisation, import_csv):
    assert import_csv(organisation, CSV, today=TODAY).ok
    with scope(organisation=organisation):
        return Debtor.objects.get(ref="411ALPHA"), Debtor.objects.get(ref="411OWING")


def case(organisation, debtor, closed_on=None):
    with scope(organisation=organisation):
        return Case.objects.create(
            organisation=organisation,
            debtor=debtor,
            status="closed" if closed_on else "open",
            opened_on=date(2026, 9, 5),
            anchor_due_date=date(2026, 9, 1),
            closed_on=closed_on,
        )


def text(response):
    return html.unescape(response.content.decode())


def test_the_question_is_about_the_latest_closed_case_and_asked_once(client, organisation, debtors):
    alpha, _owing = debtors
    older = case(organisation, alpha, closed_on=date(2026, 3, 1))
    latest = case(organisation, alpha, closed_on=date(2026, 10, 15))
    token = portal_token(alpha)

    page = client.get(f"/portal/{token}/survey/")
    assert page.status_code == 200
    assert "recommandiez Acme Industrie" in text(page)
    assert f'value="{latest.pk}"' in text(page)

    answered = client.post(
        f"/portal/{token}/survey/", {"case": latest.pk, "score": "8", "comment": "Clair et poli."}
    )
    assert answered.status_code == 302
    assert answered["Location"].endswith("/survey/?done=survey")
    assert "Merci pour votre réponse" in text(client.get(answered["Location"]))
    with scope(organisation=organisation):
        [answer] = SurveyAnswer.objects.all()
        assert (answer.case_id, answer.score, answer.comment) == (latest.pk, 8, "Clair et poli.")
        # The older case without an answer comes next.
        assert survey_case_id(alpha) == older.pk

    # The same case again (a second tab, the back button): refused politely, the first answer stands.
    again = client.post(f"/portal/{token}/survey/", {"case": latest.pk, "score": "0"})
    assert again.status_code == 409
    assert "déjà répondu" in text(again)
    with scope(organisation=organisation):
        assert list(SurveyAnswer.objects.values_list("score", flat=True)) == [8]


def test_nothing_is_asked_without_a_closed_case(client, organisation, debtors):
    alpha, _owing = debtors
    case(organisation, alpha)  # still open
    token = portal_token(alpha)
    page = client.get(f"/portal/{token}/survey/")
    assert page.status_code == 200
    assert "pas de question en attente" in text(page)
    assert "<form" not in text(page)


def test_a_case_of_another_debtor_or_still_open_cannot_be_answered(client, organisation, debtors):
    alpha, owing = debtors
    theirs = case(organisation, owing, closed_on=date(2026, 10, 1))
    open_one = case(organisation, alpha)
    token = portal_token(alpha)
    for case_id in (theirs.pk, open_one.pk):
        refused = client.post(f"/portal/{token}/survey/", {"case": case_id, "score": "5"})
        assert refused.status_code == 400
    with scope(organisation=organisation):
        assert not SurveyAnswer.objects.exists()


def test_a_score_off_the_scale_shows_the_form_again(client, organisation, debtors):
    alpha, _owing = debtors
    closed = case(organisation, alpha, closed_on=date(2026, 10, 15))
    refused = client.post(f"/portal/{portal_token(alpha)}/survey/", {"case": closed.pk, "score": "11"})
    assert refused.status_code == 400
    assert 'id="score-error"' in text(refused)
    with scope(organisation=organisation):
        assert not SurveyAnswer.objects.exists()


def test_the_invitation_shows_only_when_nothing_is_owed_and_a_case_waits(organisation, debtors):
    alpha, owing = debtors
    with scope(organisation=organisation):
        assert not survey_invite(alpha, Decimal("0"))  # no closed case yet
    case(organisation, alpha, closed_on=date(2026, 10, 15))
    case(organisation, owing, closed_on=date(2026, 10, 15))
    with scope(organisation=organisation):
        assert survey_invite(alpha, Decimal("0"))
        assert not survey_invite(owing, Decimal("250.00"))  # paying comes first
    shown = render_to_string("portal/_survey_invite.html", {"survey_invite": True, "token": "tok"})
    assert "/portal/tok/survey/" in shown
    assert (
        render_to_string("portal/_survey_invite.html", {"survey_invite": False, "token": "tok"}).strip() == ""
    )
