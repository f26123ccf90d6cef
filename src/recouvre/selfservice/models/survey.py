from django.db import models

from recouvre.common.models import OrganisationScopedModel


class SurveyAnswer(OrganisationScopedModel):
    """A debtor's answer to the satisfaction question asked on the portal once a dunning case has
    closed (0 to 10: would they recommend the creditor), with an optional comment. One per case."""

    debtor = models.ForeignKey("ledger.Debtor", on_delete=models.PROTECT, related_name="survey_answers")
    # The closed dunning case the answer is about, as a plain number rather than a foreign key:
    # selfservice sits below dunning in the apps' layers and may not import it. The portal, which
    # sits above both, only offers the question for one of the debtor's own closed cases.
    case_id = models.PositiveBigIntegerField()
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True, default="")
    answered_at = models.DateTimeField()

    class Meta:
        ordering = ["-answered_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case_id"], name="surveyanswer_one_per_case"),
            models.CheckConstraint(condition=models.Q(score__lte=10), name="surveyanswer_score_0_10"),
        ]
        indexes = [models.Index(fields=["debtor", "-answered_at"], name="surveyanswer_debtor_at")]

    def __str__(self) -> str:
        return f"{self.score}/10 (case {self.case_id})"
