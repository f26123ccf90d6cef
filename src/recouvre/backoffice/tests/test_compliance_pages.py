"""What the compliance check says reaches the pages: an approver sees beforehand that a notice would
be refused and why, and a blocked action says which mandatory mention or wording stopped it."""

import html

import pytest
from django.urls import reverse
from django_scopes import scope

from recouvre.backoffice.tests.test_approvals import notice
from recouvre.dunning.enums import ActionStatus
from recouvre.dunning.models import Action
from recouvre.ledger.models import Debtor
from recouvre.messaging.domain.templates import template_save
from recouvre.testing.fixtures import TODAY

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def text(response):
    return html.unescape(response.content.decode())


def test_a_compliant_notice_says_its_check_passed(signed_in, books):
    page = text(signed_in.get(reverse("backoffice:approval-detail", args=[notice(books).pk])))
    assert "Contrôle de conformité : mentions obligatoires présentes" in page
    assert "serait bloqué" not in page


def test_a_notice_that_would_be_refused_says_why_before_approval(signed_in, books):
    with scope(organisation=books):
        template_save(
            organisation=books,
            code="formal_notice",
            variant="standard",
            language="fr",
            subject="Dernier avis",
            body="Madame, Monsieur,\n\nUn huissier procédera à la saisie de vos biens.\n\n{{ agent_name }}",
            actor=None,
        )
    page = text(signed_in.get(reverse("backoffice:approval-detail", args=[notice(books).pk])))
    assert "Ce courrier serait bloqué par le contrôle de conformité" in page
    assert "imite un acte de justice ou d'huissier" in page
    assert "Menace d'une mesure impossible sans titre exécutoire" in page
    assert "Les mots « mise en demeure » manquent." in page


def test_a_blocked_action_lists_its_findings(signed_in, books):
    with scope(organisation=books):
        debtor = Debtor.objects.get(ref="411DUPONT")
        action = Action.objects.create(
            organisation=books,
            debtor=debtor,
            step="letter",
            channel="letter",
            status=ActionStatus.FAILED,
            scheduled_for=TODAY,
            status_reason="compliance check failed: indemnity_missing (the 40 EUR recovery indemnity is not"
            " stated); consumer_fees (fees claimed from a consumer: 'frais de dossier')",
        )
    page = text(signed_in.get(reverse("backoffice:action-detail", args=[action.pk])))
    assert "Bloqué par le contrôle de conformité" in page
    assert "L'indemnité forfaitaire de 40 € n'est pas indiquée" in page
    assert "Frais réclamés à un particulier" in page
