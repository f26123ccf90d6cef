"""The satisfaction question asked on the portal once a dunning case has closed. One answer per
case: the first one stands, a second is refused (the page thanks the debtor and says so)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from recouvre.ledger.models import Debtor
from recouvre.selfservice.models import SurveyAnswer
from recouvre.timeline.domain.services import event_record
from recouvre.timeline.enums import EventKind

SCORE_MIN, SCORE_MAX = 0, 10
COMMENT_MAX = 2000


class SurveyError(ValueError):
    """`score` (not a whole number from 0 to 10) or `already_answered`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def survey_answered(*, debtor: Debtor, case_id: int) -> bool:
    return SurveyAnswer.objects.filter(debtor=debtor, case_id=case_id).exists()


def survey_answer(
    *,
    organisation: Any,
    debtor: Debtor,
    case_id: int,
    score: int,
    comment: str,
    at: datetime | None = None,
) -> SurveyAnswer:
    """Records the answer about `case_id`. The caller has checked that the case is one of the
    debtor's closed cases: this app sits below dunning and cannot look it up."""
    if isinstance(score, bool) or not isinstance(score, int) or not SCORE_MIN <= score <= SCORE_MAX:
        raise SurveyError("score")
    comment = (comment or "").strip()[:COMMENT_MAX]
    if survey_answered(debtor=debtor, case_id=case_id):
        raise SurveyError("already_answered")
    try:
        with transaction.atomic():
            answer = SurveyAnswer.objects.create(
                organisation=organisation,
                debtor=debtor,
                case_id=case_id,
                score=score,
                comment=comment,
                answered_at=at or timezone.now(),
            )
            event_record(
                organisation=organisation,
                debtor_id=debtor.pk,
                kind=EventKind.NOTE,
                summary=f"Enquête de satisfaction : {score}/10" + (f" — {comment}" if comment else ""),
                data={"survey": answer.pk, "case": case_id, "score": score, "source": "portal"},
            )
    except IntegrityError as exc:
        # Two submissions at once: the unique constraint lets one through.
        raise SurveyError("already_answered") from exc
    return answer
