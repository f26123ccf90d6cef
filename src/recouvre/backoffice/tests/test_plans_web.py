"""Payment plans in the back office: a manager decides on a proposal outside the rules."""

from datetime import date

import pytest
from django.urls import reverse
from django_scopes import scope

from recouvre.arrangements.domain.plans import plan_propose
from recouvre.arrangements.models import PaymentPlan
from recouvre.ledger.models import Debtor, Invoice

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def proposal(organisation, count=12):
    with scope(organisation=organisation):
        debtor = Debtor.objects.get(ref="411DUPONT")
        invoices = list(Invoice.objects.filter(debtor=debtor, status="open", document_type="invoice"))
        return plan_propose(
            organisation=organisation,
            debtor=debtor,
            invoices=invoices,
            count=count,
            frequency="monthly",
            first_date=date(2026, 12, 15),
            today=date(2026, 11, 22),
            source="portal",
            actor=None,
        )


def test_a_manager_approves_or_refuses_a_proposal_outside_the_rules(signed_in, books):
    plan = proposal(books)
    assert plan.status == "awaiting_approval"
    page = signed_in.get(reverse("backoffice:plan-list")).content.decode()
    assert "Dupont Industrie" in page
    assert "Plus de 6 échéances." in page
    refused = signed_in.post(
        reverse("backoffice:plan-decision", args=[plan.pk]), {"decision": "refuse", "reason": ""}
    )
    assert refused.status_code == 302
    with scope(organisation=books):
        assert PaymentPlan.objects.get(pk=plan.pk).status == "awaiting_approval"  # a refusal needs a reason
    signed_in.post(reverse("backoffice:plan-decision", args=[plan.pk]), {"decision": "approve"})
    with scope(organisation=books):
        assert PaymentPlan.objects.get(pk=plan.pk).status == "proposed"


def test_an_agent_cannot_decide(client, books, make_user):
    plan = proposal(books)
    client.force_login(make_user(books, "agent"))
    assert client.get(reverse("backoffice:plan-list")).status_code == 200
    assert (
        client.post(reverse("backoffice:plan-decision", args=[plan.pk]), {"decision": "approve"}).status_code
        == 403
    )
