"""The placeholder renderer, without a database."""

from __future__ import annotations

import pytest

from recouvre.messaging.domain.placeholders import (
    PLACEHOLDERS,
    MissingValue,
    PlaceholderSyntaxError,
    UnknownPlaceholder,
    placeholder_names,
    render,
    render_html,
    template_errors,
)

pytestmark = pytest.mark.unit

CONTEXT = {"debtor_name": "Dupont SARL", "total_due": "1 234,56 €", "today": "22/11/2026"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bonjour {{ debtor_name }}", "Bonjour Dupont SARL"),
        ("{{debtor_name}}", "Dupont SARL"),
        ("{{   debtor_name   }}", "Dupont SARL"),
        ("{{\ndebtor_name\n}}", "Dupont SARL"),
        ("Total : {{ total_due }} au {{ today }}.", "Total : 1 234,56 € au 22/11/2026."),
        ("{{ debtor_name }}/{{ debtor_name }}", "Dupont SARL/Dupont SARL"),
        ("Pas de variable", "Pas de variable"),
        ("", ""),
        ("Une { accolade } seule", "Une { accolade } seule"),
        ("ligne 1\r\nligne 2", "ligne 1\nligne 2"),
    ],
)
def test_render(text: str, expected: str) -> None:
    assert render(text, CONTEXT) == expected


def test_values_are_not_rendered_again() -> None:
    assert render("{{ debtor_name }}", {"debtor_name": "{{ today }}"}) == "{{ today }}"


def test_empty_value_is_a_value() -> None:
    assert render("BIC : {{ creditor_bic }}", {"creditor_bic": ""}) == "BIC : "


@pytest.mark.parametrize("name", ["debtor.name", "password", "DEBTOR_NAME", "debtor_name|upper"])
def test_unknown_placeholder_names_it_and_lists_the_allowed(name: str) -> None:
    with pytest.raises((UnknownPlaceholder, PlaceholderSyntaxError)) as caught:
        render("{{ " + name + " }}", CONTEXT)
    assert name in str(caught.value)


def test_unknown_placeholder_message() -> None:
    with pytest.raises(UnknownPlaceholder) as caught:
        render("Cher {{ password }}", CONTEXT)
    message = str(caught.value)
    assert "{{ password }}" in message
    assert all(name in message for name in PLACEHOLDERS)
    assert caught.value.name == "password"
    assert "debtor_name" in caught.value.allowed


def test_missing_value() -> None:
    with pytest.raises(MissingValue) as caught:
        render("{{ debtor_name }} doit {{ interest_total }}", CONTEXT)
    assert caught.value.name == "interest_total"
    assert "interest_total" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("Bonjour {{ debtor_name }}", []),
        ("Bonjour {{ debtr_name }}", ["debtr_name"]),
        ("Bonjour {{ debtor_name", ["non refermé"]),
        ("Bonjour debtor_name }}", ["sans « {{ »"]),
        ("{{ {{ debtor_name }}", ["non refermé"]),
        ("{{ }}", ["n'est pas un nom de variable"]),
        ("{{ debtor.name }}", ["debtor.name"]),
        ("{{ x }} {{ y }}", ["« {{ x }} »", "« {{ y }} »"]),
        ("{% if x %}oui{% endif %}", []),  # no template language: plain text, sent as written
    ],
)
def test_template_errors(text: str, fragments: list[str]) -> None:
    errors = template_errors(text)
    assert len(errors) == len(fragments)
    for error, fragment in zip(errors, fragments, strict=True):
        assert fragment in error


def test_template_errors_reports_each_problem_once() -> None:
    assert len(template_errors("{{ nope }} et encore {{ nope }}")) == 1


@pytest.mark.parametrize("text", ["{{ debtor_name", "a }} b", "{{ debtor.name }}"])
def test_render_refuses_invalid_syntax(text: str) -> None:
    with pytest.raises(ValueError, match=r"\S"):
        render(text, CONTEXT)


def test_placeholder_names_in_order_of_first_use() -> None:
    assert placeholder_names("{{ total_due }} {{ debtor_name }} {{ total_due }}") == [
        "total_due",
        "debtor_name",
    ]


def test_every_placeholder_has_a_description() -> None:
    assert len(PLACEHOLDERS) == 30
    assert all(description.strip() for description in PLACEHOLDERS.values())


TABLE = '<table class="invoices"><tr><td>F-1</td></tr></table>'


@pytest.mark.parametrize(
    ("text", "context_text", "expected"),
    [
        ("Bonjour", {}, "<p>Bonjour</p>"),
        (
            "Bonjour {{ debtor_name }}",
            {"debtor_name": "<b>Dupont</b> & Fils"},
            "<p>Bonjour &lt;b&gt;Dupont&lt;/b&gt; &amp; Fils</p>",
        ),
        ("Moi & <i>vous</i>", {}, "<p>Moi &amp; &lt;i&gt;vous&lt;/i&gt;</p>"),
        ('Le "lien"', {}, "<p>Le &quot;lien&quot;</p>"),
        ("Ligne 1\nLigne 2", {}, "<p>Ligne 1<br>\nLigne 2</p>"),
        ("Un\n\nDeux", {}, "<p>Un</p>\n<p>Deux</p>"),
        ("Un\r\n\r\nDeux", {}, "<p>Un</p>\n<p>Deux</p>"),
        ("Un\n  \n\n\nDeux\n", {}, "<p>Un</p>\n<p>Deux</p>"),
        ("\n\nUn\n\n", {}, "<p>Un</p>"),
        (
            "Adresse : {{ debtor_name }}",
            {"debtor_name": "1 rue A\n75001 Paris"},
            "<p>Adresse : 1 rue A<br>\n75001 Paris</p>",
        ),
    ],
)
def test_render_html_escapes_and_builds_paragraphs(
    text: str, context_text: dict[str, str], expected: str
) -> None:
    assert render_html(text, context_text, {}) == expected


def test_render_html_inserts_the_table_as_it_is_outside_any_paragraph() -> None:
    text = "Madame,\n\nVoici :\n\n{{ invoices_table }}\n\nTotal : {{ total_due }}"
    html = render_html(text, {"total_due": "10 €", "invoices_table": "texte brut"}, {"invoices_table": TABLE})
    assert html == f"<p>Madame,</p>\n<p>Voici :</p>\n{TABLE}\n<p>Total : 10 €</p>"


def test_render_html_inline_html_value_is_not_escaped() -> None:
    link = '<a href="https://pay.example/x">payer</a>'
    html = render_html("Cliquez {{ portal_link }}.", {}, {"portal_link": link})
    assert html == f"<p>Cliquez {link}.</p>"


def test_render_html_text_value_that_looks_like_a_placeholder_is_escaped_not_rendered() -> None:
    html = render_html("{{ debtor_name }}", {"debtor_name": "{{ today }} <script>"}, {})
    assert html == "<p>{{ today }} &lt;script&gt;</p>"


def test_render_html_checks_placeholders_and_values() -> None:
    with pytest.raises(UnknownPlaceholder):
        render_html("{{ nope }}", {}, {})
    with pytest.raises(MissingValue):
        render_html("{{ debtor_name }}", {}, {"invoices_table": TABLE})
