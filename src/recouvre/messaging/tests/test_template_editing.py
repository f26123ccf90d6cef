"""Resetting an edited text to the packaged default: audited with the dropped text, idempotent."""

import pytest

from recouvre.audit.models import AuditEntry
from recouvre.messaging.domain.templates import template_reset, template_resolve, template_save
from recouvre.messaging.models import MessageTemplate

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_reset_brings_the_default_back_and_keeps_the_dropped_text(organisation, manager, in_scope):
    template_save(
        organisation=organisation,
        code="reminder_1",
        variant="standard",
        language="fr",
        subject="Relance {{ debtor_name }}",
        body="Bonjour {{ contact_name }}, merci de régler {{ total_due }}.",
        actor=manager,
    )
    edited = template_resolve(
        organisation=organisation, code="reminder_1", debtor_type="B2B", profile="standard", language="fr"
    )
    assert edited.source == "organisation"

    assert template_reset(
        organisation=organisation, code="reminder_1", variant="standard", language="fr", actor=manager
    )
    resolved = template_resolve(
        organisation=organisation, code="reminder_1", debtor_type="B2B", profile="standard", language="fr"
    )
    assert resolved.source == "default"
    assert not MessageTemplate.objects.exists()
    entry = AuditEntry.objects.get(object_type="message_template", action="delete")
    assert entry.changes["body"].startswith("Bonjour {{ contact_name }}")
    assert entry.actor == manager

    # A second click: nothing to drop, nothing audited.
    assert not template_reset(
        organisation=organisation, code="reminder_1", variant="standard", language="fr", actor=manager
    )
    assert AuditEntry.objects.filter(action="delete").count() == 1


def test_reset_touches_only_that_text_and_that_organisation(
    organisation, other_organisation, manager, unscoped
):
    for org in (organisation, other_organisation):
        for language in ("fr", "en"):
            template_save(
                organisation=org,
                code="sms",
                variant="standard",
                language=language,
                subject="",
                body="Payez {{ portal_link }}",
                actor=None,
            )
    template_reset(organisation=organisation, code="sms", variant="standard", language="fr", actor=manager)
    left = set(MessageTemplate.objects.values_list("organisation_id", "language"))
    assert left == {(organisation.pk, "en"), (other_organisation.pk, "fr"), (other_organisation.pk, "en")}
