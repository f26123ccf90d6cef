"""Reads about payment plans for the back office, the portal and the dunning planner. Run inside an
organisation scope."""

from __future__ import annotations

from django.db.models import QuerySet

from recouvre.arrangements.enums import PLAN_OPEN_STATUSES, PlanStatus
from recouvre.arrangements.models import PaymentPlan
from recouvre.ledger.models import Debtor


def active_plan(debtor: Debtor) -> PaymentPlan | None:
    """The signed plan running for the debtor, if any: while it runs its instalments replace the
    dunning scenario."""
    return (
        PaymentPlan.objects.filter(debtor=debtor, status=PlanStatus.ACTIVE)
        .prefetch_related("instalments")
        .first()
    )


def open_plan(debtor: Debtor) -> PaymentPlan | None:
    """The debtor's plan pending (a manager's decision, the signature) or running, if any."""
    return PaymentPlan.objects.filter(debtor=debtor, status__in=PLAN_OPEN_STATUSES).first()


def plans_awaiting_approval() -> QuerySet[PaymentPlan]:
    """Proposals outside the organisation's rules, oldest first: a manager's to-do list."""
    return (
        PaymentPlan.objects.filter(status=PlanStatus.AWAITING_APPROVAL)
        .select_related("debtor")
        .order_by("proposed_on", "id")
    )
