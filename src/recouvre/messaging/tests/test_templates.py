"""The packaged default texts, the choice of variant and the organisation's own wording."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from recouvre.messaging.domain.placeholders import PLACEHOLDERS, render, render_html, template_errors
from recouvre.messaging.domain.template_defaults import (
    CODES,
    LANGUAGES,
    NoVariant,
    _catalogue,
    choose_variant,
    default_template,
    default_variants,
    postal_code,
)

# Realistic values, on the long side, so that the SMS length check means something.
FULL_CONTEXT: dict[str, str] = {
    "creditor_name": "Acme Industrie Services",
    "creditor_email": "comptabilite.clients@acme-industrie.fr",
    "creditor_phone": "04 78 12 34 56",
    "creditor_iban": "FR76 3000 6000 0112 3456 7890 189",
    "creditor_bic": "AGRIFRPPXXX",
    "debtor_name": "Boulangerie Dupont et Fils SARL",
    "debtor_ref": "411DUPONT",
    "contact_name": "Mme Martin",
    "invoices_table": "F-2026-0142  01/09/2026  01/10/2026  1 200,00 €  1 200,00 €",
    "invoice_count": "12",
    "total_due": "123 456,78 €",
    "oldest_due_date": "01/10/2026",
    "due_date": "27/11/2026",
    "days_overdue": "52",
    "portal_link": "https://paiement.acme-industrie.fr/p/7Hq2xKp9ZmA4",
    "payment_reference": "RF18539007547034",
    "deadline_date": "30/11/2026",
    "fixed_indemnity_total": "480,00 €",
    "interest_total": "1 234,56 €",
    "penalty_rate": "12,15 % l'an (taux de refinancement de la BCE majoré de 10 points)",
    "agency_name": "",
    "total_claimed": "125 171,34 €",
    "today": "22/11/2026",
    "agent_name": "Claire Lefèvre",
    "dispute_invoice": "F-2026-0142",
    "dispute_outcome_text": "Après examen, nous avons établi un avoir de 200,00 € sur la facture F-2026-0142 : "
    "il reste 1 000,00 € à régler sur cette facture.",
    "instalment_number": "2",
    "instalment_amount": "1 234,56 €",
    "instalment_date": "01/12/2026",
    "plan_reference": "Échéancier n° 42",
}
HTML_TABLE = "<table><tr><td>F-2026-0142</td><td>1 200,00 €</td></tr></table>"
ALL_DEFAULTS = [
    (code, variant, language)
    for language in LANGUAGES
    for code, variants in _catalogue(language).items()
    for variant in variants
]
# GSM 03.38 basic alphabet: a text made of these is sent as 7-bit GSM (160 characters per segment);
# one character outside it switches the whole SMS to UCS-2 (70 per segment).
GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
INDEMNITY = re.compile(
    r"\b40\s*(€|EUR|euros?)|EUR\s*40\b|indemnit[ée] forfaitaire|fixed (recovery )?indemnit", re.I
)
# The e-mail steps and their paper versions, printed when the debtor has no e-mail address.
POSTAL = {"courtesy": "courtesy_letter", "reminder_1": "reminder_1_letter", "reminder_2": "reminder_2_letter"}
# The notices outside the ladder sent by post: letters too, but with no e-mail step of the same variants.
NOTICE_LETTERS = ("dispute_outcome_letter", "plan_instalment_letter")
# Wording that only makes sense in an e-mail (the placeholders, e.g. {{ creditor_email }}, are removed first).
EMAIL_WORDING = re.compile(
    r"e-?mails?|courriels?|r[ée]pond(re|ant) à|repl(y|ying) to|ce message|this message", re.I
)


def test_full_context_covers_every_placeholder() -> None:
    assert set(FULL_CONTEXT) == set(PLACEHOLDERS)


@pytest.mark.parametrize(("code", "variant", "language"), ALL_DEFAULTS)
def test_every_default_renders_with_a_full_context(code: str, variant: str, language: str) -> None:
    template = default_template(code, variant, language)
    assert template is not None
    assert template_errors(template.subject) == []
    assert template_errors(template.body) == []
    assert render(template.subject, FULL_CONTEXT) == render(template.subject, FULL_CONTEXT).strip()
    body = render(template.body, FULL_CONTEXT)
    assert "{{" not in body
    assert "}}" not in body
    html = render_html(template.body, FULL_CONTEXT, {"invoices_table": HTML_TABLE})
    assert html.startswith(("<p>", "<table>"))


def test_both_languages_have_the_same_texts() -> None:
    fr, en = _catalogue("fr"), _catalogue("en")
    assert {c: set(v) for c, v in fr.items()} == {c: set(v) for c, v in en.items()}
    assert set(fr) == set(CODES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_expected_variants_exist(language: str) -> None:
    catalogue = _catalogue(language)
    for code in CODES:
        assert {"standard", "b2c"} <= set(catalogue[code]), code
    for code in ("courtesy", "reminder_1", "reminder_2", "letter", *POSTAL.values()):
        assert {"good", "late"} <= set(catalogue[code]), code
    for code in ("letter", "formal_notice", "reminder_2_letter"):
        assert "public" in catalogue[code], code


@pytest.mark.parametrize(("code", "variant", "language"), ALL_DEFAULTS)
def test_every_text_lists_the_invoices_and_how_to_pay(code: str, variant: str, language: str) -> None:
    template = default_template(code, variant, language)
    assert template is not None
    used = set(re.findall(r"\{\{\s*(\w+)\s*\}\}", template.body))
    assert {"total_due", "portal_link", "payment_reference"} <= used
    if code in (*POSTAL.values(), *NOTICE_LETTERS):
        # A letter prints its own table of the invoices ({{ invoices_table }} is empty there).
        assert "invoices_table" not in used
        assert re.search(r"tableau ci-dessous|table below", template.body)
        assert template.subject
    elif code != "sms":
        assert "invoices_table" in used
        assert template.subject, "e-mails, letters and tasks have a subject or a title"
    else:
        assert template.subject == ""
    if code not in ("sms", "litigation_review"):  # an SMS is too short; a review is for the creditor
        assert "creditor_iban" in used


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("variant", ["standard", "b2c"])
def test_sms_is_short_and_gsm_only(language: str, variant: str) -> None:
    template = default_template("sms", variant, language)
    assert template is not None
    assert "\n" not in template.body
    assert len(render(template.body, FULL_CONTEXT)) <= 300
    # The literal text only: values (a € in an amount) are the sender's choice.
    literal = re.sub(r"\{\{[^}]*\}\}", "", template.body)
    assert set(literal) <= GSM_BASIC, set(literal) - GSM_BASIC


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "code", ["letter", "formal_notice", "reminder_1", "reminder_2", "courtesy", "sms", *POSTAL.values()]
)
def test_consumer_texts_never_claim_the_b2b_indemnity_or_penalties(language: str, code: str) -> None:
    template = default_template(code, "b2c", language)
    assert template is not None
    text = template.subject + "\n" + template.body
    assert not INDEMNITY.search(text)
    assert "L441-10" not in text
    assert "D441-5" not in text
    assert "fixed_indemnity_total" not in text
    assert "interest_total" not in text


POSTAL_DEFAULTS = [
    (code, variant, language) for code, variant, language in ALL_DEFAULTS if code in POSTAL.values()
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("email_code", "postal"), POSTAL.items())
def test_every_email_step_has_a_paper_version_with_the_same_variants(
    language: str, email_code: str, postal: str
) -> None:
    catalogue = _catalogue(language)
    assert set(catalogue[postal]) == set(catalogue[email_code])
    for variant in catalogue[postal]:
        # The subject is printed as "Objet : …": the same as the e-mail's.
        assert catalogue[postal][variant].subject == catalogue[email_code][variant].subject


@pytest.mark.parametrize(("code", "variant", "language"), POSTAL_DEFAULTS)
def test_paper_versions_are_written_for_paper(code: str, variant: str, language: str) -> None:
    template = default_template(code, variant, language)
    assert template is not None
    # As compose_message renders a letter: the layout prints the invoice table itself.
    body = render(template.body, FULL_CONTEXT | {"invoices_table": "", "creditor_phone": ""})
    literal = re.sub(r"\{\{[^}]*\}\}", "", template.subject + "\n" + template.body)
    assert not EMAIL_WORDING.search(literal), EMAIL_WORDING.search(literal)
    assert "répondant à cet e-mail" not in body
    assert "reply to this email" not in body.lower()
    # Optional values would leave "ou au ." or "(BIC )" on paper; the letter prints the BIC itself.
    assert "creditor_phone" not in template.body
    assert "creditor_bic" not in template.body
    assert body.startswith("Madame, Monsieur," if language == "fr" else "Dear Sir or Madam,")
    assert re.search(r"tableau ci-dessous|table below", body)
    assert re.search(r"ne pas tenir compte de ce courrier|disregard this letter", body)
    for value in ("total_due", "creditor_iban", "payment_reference", "portal_link", "creditor_email"):
        assert FULL_CONTEXT[value] in body, value


@pytest.mark.parametrize(("code", "variant", "language"), POSTAL_DEFAULTS)
def test_paper_versions_state_the_same_law_as_the_emails(code: str, variant: str, language: str) -> None:
    email_code = code.removesuffix("_letter")
    paper, email = default_template(code, variant, language), default_template(email_code, variant, language)
    assert paper is not None
    assert email is not None
    assert bool(INDEMNITY.search(paper.body)) == bool(INDEMNITY.search(email.body))
    for article in ("L441-10", "D441-5", "commande publique", "Public Procurement"):
        assert (article in paper.body) == (article in email.body), article
    if variant == "b2c":
        assert not re.search(r"\b40\b", paper.body)


def test_postal_code() -> None:
    assert postal_code("courtesy") == "courtesy_letter"
    assert postal_code("reminder_1") == "reminder_1_letter"
    assert postal_code("reminder_2") == "reminder_2_letter"
    # Steps written for paper already, and codes without a paper version, keep their own text.
    for code in ("letter", "formal_notice", "sms", "call", "litigation_review", "reminder_1_letter", "nope"):
        assert postal_code(code) == code
    assert all(postal_code(code) in CODES for code in CODES)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("variant", ["standard", "good", "late"])
def test_b2b_letter_states_penalties_and_the_40_euro_indemnity(language: str, variant: str) -> None:
    template = default_template("letter", variant, language)
    assert template is not None
    assert "L441-10" in template.body
    assert "D441-5" in template.body
    assert INDEMNITY.search(template.body)
    assert re.search(r"\b40\b", template.body)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("variant", ["standard", "b2c", "public"])
def test_formal_notice_sets_the_deadline_and_says_what_follows(language: str, variant: str) -> None:
    template = default_template("formal_notice", variant, language)
    assert template is not None
    assert "mise en demeure" in (template.subject + template.body).lower()
    assert re.search(r"\{\{\s*deadline_date\s*\}\}", template.body)
    assert re.search(r"huit jours|eight days", template.body)
    if variant == "standard":
        assert "injonction de payer" in template.body
        assert {"interest_total", "fixed_indemnity_total", "total_claimed"} <= set(
            re.findall(r"\{\{\s*(\w+)\s*\}\}", template.body)
        )
    if variant == "b2c":
        assert "1231-6" in template.body
        assert "1344-1" in template.body
    if variant == "public":
        assert "L2192-13" in template.body
        assert re.search(r"\b40\b", template.body)


@pytest.mark.parametrize(
    ("available", "debtor_type", "profile", "expected"),
    [
        ({"standard", "b2c", "good", "late", "public"}, "B2B", "standard", "standard"),
        ({"standard", "b2c", "good", "late", "public"}, "B2B", "good", "good"),
        ({"standard", "b2c", "good", "late", "public"}, "B2B", "late", "late"),
        ({"standard", "b2c"}, "B2B", "good", "standard"),
        ({"standard", "b2c"}, "B2B", "late", "standard"),
        ({"standard", "b2c", "good", "late"}, "B2C", "good", "b2c"),
        ({"standard", "b2c", "good", "late"}, "B2C", "late", "b2c"),
        ({"standard", "b2c", "public"}, "PUBLIC", "standard", "public"),
        ({"standard", "b2c", "public", "late"}, "PUBLIC", "late", "public"),
        ({"standard", "b2c", "good", "late"}, "PUBLIC", "late", "standard"),
    ],
)
def test_choose_variant(available: set[str], debtor_type: str, profile: str, expected: str) -> None:
    assert choose_variant(available, debtor_type=debtor_type, profile=profile) == expected


def test_a_consumer_never_falls_back_to_the_b2b_text() -> None:
    with pytest.raises(NoVariant):
        choose_variant({"standard", "good"}, debtor_type="B2C", profile="standard")


@pytest.mark.parametrize(("debtor_type", "profile"), [("B2X", "standard"), ("B2B", "excellent")])
def test_choose_variant_refuses_unknown_values(debtor_type: str, profile: str) -> None:
    with pytest.raises(ValueError, match="unknown"):
        choose_variant({"standard"}, debtor_type=debtor_type, profile=profile)


def test_language_falls_back_to_french() -> None:
    assert default_template("reminder_1", "standard", "de") == default_template(
        "reminder_1", "standard", "fr"
    )
    assert default_template("reminder_1", "standard", "en") != default_template(
        "reminder_1", "standard", "fr"
    )
    assert default_template("courtesy", "public", "fr") is None
    assert default_template("nope", "standard", "fr") is None
    assert default_variants("sms", "de") == ("standard", "b2c")


# --- the organisation's own wording (database) ---------------------------------------------------


@pytest.mark.django_db
def test_default_text_when_the_organisation_edited_nothing(in_scope: Any) -> None:
    from recouvre.messaging.domain.templates import template_resolve

    resolved = template_resolve(
        organisation=in_scope, code="reminder_2", debtor_type="B2B", profile="late", language="en"
    )
    expected = default_template("reminder_2", "late", "en")
    assert expected is not None
    assert (resolved.source, resolved.variant, resolved.language) == ("default", "late", "en")
    assert (resolved.subject, resolved.body) == (expected.subject, expected.body)


@pytest.mark.django_db
def test_paper_version_resolves_like_any_code(in_scope: Any) -> None:
    from recouvre.messaging.domain.templates import template_resolve

    resolved = template_resolve(
        organisation=in_scope, code="reminder_2_letter", debtor_type="PUBLIC", profile="late", language="en"
    )
    assert (resolved.source, resolved.variant, resolved.language) == ("default", "public", "en")
    assert "table below" in resolved.body


@pytest.mark.django_db
def test_unsupported_language_resolves_to_french(in_scope: Any) -> None:
    from recouvre.messaging.domain.templates import template_resolve

    resolved = template_resolve(
        organisation=in_scope, code="letter", debtor_type="B2C", profile="standard", language="de"
    )
    assert (resolved.variant, resolved.language) == ("b2c", "fr")


@pytest.mark.django_db
def test_organisation_override_wins(in_scope: Any, manager: Any, other_organisation: Any) -> None:
    from recouvre.messaging.domain.templates import template_resolve, template_save

    template_save(
        organisation=in_scope,
        code="reminder_1",
        variant="standard",
        language="fr",
        subject="Relance {{ debtor_ref }}",
        body="Madame, Monsieur,\n\n{{ invoices_table }}\n\nTotal : {{ total_due }}",
        actor=manager,
    )

    def resolve(organisation: Any, **kwargs: str) -> Any:
        args = {"code": "reminder_1", "debtor_type": "B2B", "profile": "standard", "language": "fr"} | kwargs
        return template_resolve(organisation=organisation, **args)

    mine = resolve(in_scope)
    assert (mine.source, mine.variant, mine.language) == ("organisation", "standard", "fr")
    assert mine.subject == "Relance {{ debtor_ref }}"
    assert render(mine.body, FULL_CONTEXT).endswith("Total : 123 456,78 €")
    # Edits are per language and per variant: the English text and the consumer text stay the defaults.
    assert resolve(in_scope, language="en").source == "default"
    assert resolve(in_scope, debtor_type="B2C").source == "default"
    assert resolve(in_scope, profile="good").variant == "good"
    with scope(organisation=other_organisation):
        assert resolve(other_organisation).source == "default"


@pytest.mark.django_db
def test_an_organisation_may_add_a_variant_the_defaults_lack(in_scope: Any, manager: Any) -> None:
    from recouvre.messaging.domain.templates import template_resolve, template_save

    template_save(
        organisation=in_scope,
        code="courtesy",
        variant="public",
        language="fr",
        subject="Échéance du {{ due_date }}",
        body="{{ invoices_table }} {{ total_due }}",
        actor=manager,
    )
    resolved = template_resolve(
        organisation=in_scope, code="courtesy", debtor_type="PUBLIC", profile="standard", language="fr"
    )
    assert (resolved.source, resolved.variant) == ("organisation", "public")


@pytest.mark.django_db
def test_template_save_replaces_the_previous_edit(in_scope: Any, manager: Any) -> None:
    from recouvre.messaging.domain.templates import template_save
    from recouvre.messaging.models import MessageTemplate

    for body in ("Premier {{ total_due }}", "Second {{ total_due }}"):
        saved = template_save(
            organisation=in_scope,
            code="sms",
            variant="standard",
            language="fr",
            subject="",
            body=body,
            actor=manager,
        )
    assert MessageTemplate.objects.count() == 1
    assert saved.body == "Second {{ total_due }}"
    assert saved.updated_by == manager


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"body": "Bonjour {{ mot_de_passe }}"}, "mot_de_passe"),
        ({"subject": "Relance {{ debtor.name }}"}, "debtor.name"),
        ({"body": "Total {{ total_due"}, "non refermé"),
        ({"body": "   "}, "vide"),
        ({"code": "newsletter"}, "newsletter"),
        ({"variant": "vip"}, "vip"),
        ({"language": "de"}, "de"),
    ],
)
def test_template_save_refuses_invalid_texts(
    in_scope: Any, manager: Any, changes: dict[str, str], fragment: str
) -> None:
    from recouvre.messaging.domain.templates import TemplateInvalid, template_save
    from recouvre.messaging.models import MessageTemplate

    args = {
        "code": "reminder_1",
        "variant": "standard",
        "language": "fr",
        "subject": "Relance",
        "body": "{{ total_due }}",
    }
    with pytest.raises(TemplateInvalid) as caught:
        template_save(organisation=in_scope, actor=manager, **(args | changes))
    assert any(fragment in message for message in caught.value.messages)
    assert isinstance(caught.value, ValueError)
    assert not MessageTemplate.objects.exists()


@pytest.mark.django_db
def test_model_clean_validates_placeholders(in_scope: Any) -> None:
    from recouvre.messaging.models import MessageTemplate

    template = MessageTemplate(
        organisation=in_scope, code="reminder_1", subject="{{ nope }}", body="Total {{ total_due"
    )
    with pytest.raises(ValidationError) as caught:
        template.full_clean()
    assert set(caught.value.message_dict) == {"subject", "body"}
