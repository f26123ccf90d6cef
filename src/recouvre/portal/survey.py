"""The satisfaction question, once per closed dunning case: would the debtor recommend the creditor,
from 0 to 10, with an optional comment. The portal matches the answer to the case (selfservice sits
below dunning and only keeps the case's number)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy

from recouvre.dunning.enums import CaseStatus
from recouvre.dunning.models import Case
from recouvre.ledger.models import Debtor
from recouvre.portal.access import portal_view
from recouvre.portal.context import account_context
from recouvre.selfservice.domain.survey import COMMENT_MAX, SurveyError, survey_answer
from recouvre.selfservice.models import SurveyAnswer

SCORES = [(str(n), str(n)) for n in range(11)]


def survey_case_id(debtor: Debtor) -> int | None:
    """The debtor's latest closed case that has no answer yet, if any."""
    answered = SurveyAnswer.objects.filter(debtor=debtor).values("case_id")
    return (
        Case.objects.filter(debtor=debtor, status=CaseStatus.CLOSED)
        .exclude(pk__in=answered)
        .order_by("-closed_on", "-id")
        .values_list("pk", flat=True)
        .first()
    )


def survey_invite(debtor: Debtor, total: Decimal) -> bool:
    """Whether the home page shows `_survey_invite.html` (context key `survey_invite`): only once
    nothing is owed, so the question never competes with paying."""
    return not total and survey_case_id(debtor) is not None


class SurveyForm(forms.Form):
    case = forms.IntegerField(widget=forms.HiddenInput)
    score = forms.TypedChoiceField(
        label=gettext_lazy("Votre note"), choices=SCORES, coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=gettext_lazy("Un commentaire ? (facultatif)"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@portal_view("survey")
def survey(request: HttpRequest, debtor: Debtor, organisation: Any) -> HttpResponse:
    context = account_context(request, debtor, organisation)
    token = request.portal_token  # type: ignore[attr-defined]
    if request.GET.get("done") == "survey":
        context["state"] = "thanks"
        return render(request, "portal/survey.html", context)
    waiting = survey_case_id(debtor)
    form = SurveyForm(request.POST or None, initial={"case": waiting})
    if request.method == "POST" and form.is_valid():
        case_id = form.cleaned_data["case"]
        # Only one of this debtor's own closed cases: the number comes from the page.
        if not Case.objects.filter(pk=case_id, debtor=debtor, status=CaseStatus.CLOSED).exists():
            context["state"] = "nothing"
            return render(request, "portal/survey.html", context, status=400)
        try:
            survey_answer(
                organisation=organisation,
                debtor=debtor,
                case_id=case_id,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        except SurveyError:
            context["state"] = "already"
            return render(request, "portal/survey.html", context, status=409)
        return redirect(f"/portal/{token}/survey/?done=survey")
    if waiting is None and not form.is_bound:
        context["state"] = "nothing"
        return render(request, "portal/survey.html", context)
    context |= {"state": "ask", "form": form}
    return render(request, "portal/survey.html", context, status=400 if form.errors else 200)


urlpatterns_survey: list[URLPattern] = [path("<str:token>/survey/", survey, name="survey")]
