"""The message-template editor: the list, one text with its live preview (rendered as the dispatcher
would, the e-mail HTML only in a sandboxed iframe), saving, errors next to the field, reset."""

import html
import re

import pytest
from django.urls import reverse
from django_scopes import scope

from recouvre.audit.models import AuditEntry
from recouvre.messaging.domain.templates import template_save
from recouvre.messaging.models import MessageTemplate

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def edit_url(code="reminder_1", variant="standard", language="fr"):
    return reverse("backoffice:template-edit", args=[code, variant, language])


def preview_url(code="reminder_1", variant="standard", language="fr"):
    return reverse("backoffice:template-preview", args=[code, variant, language])


def test_list_shows_every_step_and_which_texts_are_edited(signed_in, organisation, manager):
    with scope(organisation=organisation):
        template_save(
            organisation=organisation,
            code="sms",
            variant="standard",
            language="fr",
            subject="",
            body="Payez {{ portal_link }}",
            actor=manager,
        )
    page = signed_in.get(reverse("backoffice:template-list")).content.decode()
    assert "Mise en demeure" in page
    assert "Relance 1" in page
    assert edit_url("sms") in page
    assert "Modifié" in page
    # The query string opens one text (a variant with no packaged text yet).
    response = signed_in.get(
        reverse("backoffice:template-list"), {"code": "courtesy", "variant": "public", "language": "fr"}
    )
    assert response.status_code == 302
    assert response.url == edit_url("courtesy", "public")


def test_editor_previews_with_a_real_debtor(signed_in, books):
    response = signed_in.get(edit_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Dupont Industrie" in page  # the sample debtor, B2B with an overdue open invoice
    assert 'hx-trigger="input from:#template-form delay:400ms"' in page
    assert re.search(r'<iframe sandbox="" srcdoc="[^"]*F-2026-001', page)


def test_live_preview_renders_what_is_typed_escaped_in_the_sandbox(signed_in, books):
    body = "Bonjour {{ debtor_name }},\n\n<script>alert(1)</script> reste dû : {{ total_due }}\n\n{{ invoices_table }}"
    response = signed_in.post(preview_url(), {"subject": "Relance {{ debtor_ref }}", "body": body})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Relance 411DUPONT" in page
    assert "<script>" not in page  # never injected in the page
    srcdoc = html.unescape(re.search(r'srcdoc="([^"]*)"', page).group(1))
    assert "&lt;script&gt;" in srcdoc  # escaped again inside the frame by the e-mail renderer
    assert "1\u00a0234,56\u00a0€" in srcdoc or "1 234,56 €" in srcdoc
    assert "<table" in srcdoc
    with scope(organisation=books):
        assert not MessageTemplate.objects.exists()  # previewing saves nothing


def test_the_preview_warns_of_wording_the_compliance_check_refuses(signed_in, books):
    body = "Bonjour,\n\nSans paiement sous 8 jours, un huissier procédera à la saisie de vos biens."
    page = html.unescape(signed_in.post(preview_url(), {"subject": "Relance", "body": body}).content.decode())
    assert "Ce texte serait bloqué par le contrôle de conformité" in page
    assert "imite un acte de justice" in page
    assert "Menace d'une mesure impossible" in page
    calm = signed_in.post(preview_url(), {"subject": "Relance", "body": "Bonjour,\n\nMerci de régler."})
    assert "contrôle de conformité" not in html.unescape(calm.content.decode())


def test_unknown_placeholder_shows_its_name_next_to_the_field(signed_in, books):
    response = signed_in.post(preview_url(), {"subject": "Objet", "body": "Bonjour {{ nom_client }}"})
    page = response.content.decode()
    error = re.search(
        r'<small id="id_body-live-error"[^>]*hx-swap-oob="true">(.*?)</small>', page, re.S
    ).group(1)
    assert "nom_client" in html.unescape(error)
    assert "Corrigez le texte" in page


def test_preview_with_sample_values_when_there_is_no_debtor(signed_in, organisation):
    response = signed_in.post(preview_url("sms"), {"body": "Bonjour {{ debtor_name }} {{ portal_link }}"})
    page = response.content.decode()
    assert "valeurs fictives" in page
    assert "Dupont Industrie" in page
    assert "caractères" in page  # SMS length shown


def test_save_then_reset(signed_in, organisation, books):
    response = signed_in.post(
        edit_url(), {"subject": "Rappel {{ debtor_ref }}", "body": "Merci de régler {{ total_due }}."}
    )
    assert response.status_code == 302
    with scope(organisation=organisation):
        row = MessageTemplate.objects.get(code="reminder_1", variant="standard", language="fr")
    assert row.body == "Merci de régler {{ total_due }}."
    page = signed_in.get(edit_url()).content.decode()
    assert "Texte modifié par votre organisation" in page
    assert "Revenir au texte par défaut" in page

    reset = reverse("backoffice:template-reset", args=["reminder_1", "standard", "fr"])
    assert signed_in.post(reset).status_code == 302
    with scope(organisation=organisation):
        assert not MessageTemplate.objects.exists()
        assert AuditEntry.objects.filter(object_type="message_template", action="delete").count() == 1
    second = signed_in.post(reset, follow=True)
    assert "déjà le texte par défaut" in second.content.decode()


def test_save_refuses_an_unknown_placeholder_next_to_the_field_and_keeps_the_text(signed_in, organisation):
    response = signed_in.post(edit_url(), {"subject": "Relance", "body": "Payez {{ montant }} svp"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_body-error"' in page
    assert "montant" in page
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="id_body-error id_body-live-error"' in page
    assert "Payez {{ montant }} svp" in html.unescape(page)
    with scope(organisation=organisation):
        assert not MessageTemplate.objects.exists()
    empty = signed_in.post(edit_url(), {"subject": "Relance", "body": "   "})
    assert empty.status_code == 400


def test_agents_read_and_preview_but_cannot_save_or_reset(client, organisation, make_user):
    client.force_login(make_user(organisation, "agent"))
    page = client.get(edit_url()).content.decode()
    assert "Lecture seule" in page
    assert "readonly" in page
    assert client.post(preview_url(), {"subject": "", "body": "{{ debtor_name }}"}).status_code == 200
    assert client.post(edit_url(), {"subject": "x", "body": "y"}).status_code == 403
    reset = reverse("backoffice:template-reset", args=["reminder_1", "standard", "fr"])
    assert client.post(reset).status_code == 403
    with scope(organisation=organisation):
        assert not MessageTemplate.objects.exists()


def test_unknown_code_variant_or_language_is_a_404(signed_in):
    assert signed_in.get(edit_url("nope")).status_code == 404
    assert signed_in.get(edit_url(variant="vip")).status_code == 404
    assert signed_in.get(edit_url(language="de")).status_code == 404
    assert signed_in.post(preview_url(language="de"), {"body": "x"}).status_code == 404
    assert (
        signed_in.get(
            reverse("backoffice:template-list"), {"code": "x", "variant": "y", "language": "z"}
        ).status_code
        == 404
    )


def test_the_preview_never_shows_another_organisations_debtor(signed_in, books):
    page = signed_in.post(
        preview_url(), {"subject": "", "body": "{{ debtor_name }} {{ invoices_table }}"}
    ).content.decode()
    assert "Secret Bêta" not in page
    assert "S-777" not in page
