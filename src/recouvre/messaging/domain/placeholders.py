"""A deliberately tiny template language for the texts credit managers edit: `{{ name }}` and nothing
else. No loops, filters or attribute access, so an edited template can neither reach into objects nor
break a dispatch run with logic; a name must be one of `PLACEHOLDERS`. PURE: no Django.

Errors are worded in French (the interface's default language) and also carry structured attributes
(`name`, `allowed`) for an interface that wants to phrase them itself."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

PLACEHOLDERS: Mapping[str, str] = {
    "creditor_name": "Raison sociale du créancier",
    "creditor_email": "Adresse e-mail de contact du créancier",
    "creditor_phone": "Téléphone de contact du créancier",
    "creditor_iban": "IBAN du créancier pour le virement",
    "creditor_bic": "BIC du créancier",
    "debtor_name": "Nom ou raison sociale du débiteur",
    "debtor_ref": "Compte client du débiteur (ex. 411DUPONT)",
    "contact_name": "Nom de l'interlocuteur chez le débiteur",
    "invoices_table": "Tableau des factures concernées (numéro, date, échéance, montant, reste dû)",
    "invoice_count": "Nombre de factures concernées",
    "total_due": "Montant total restant dû, avec la devise",
    "oldest_due_date": "Échéance la plus ancienne des factures concernées",
    "due_date": "Date d'échéance à venir (message de courtoisie)",
    "days_overdue": "Nombre de jours de retard depuis l'échéance la plus ancienne",
    "portal_link": "Lien vers l'espace de paiement en ligne du débiteur",
    "payment_reference": "Référence à rappeler lors du virement",
    "deadline_date": "Date limite de paiement fixée par la mise en demeure",
    "fixed_indemnity_total": "Total des indemnités forfaitaires de recouvrement (40 € par facture)",
    "interest_total": "Total des pénalités ou intérêts de retard à la date du courrier",
    "penalty_rate": "Taux des pénalités de retard en vigueur et sa base (ex. 12,15 % l'an, BCE + 10 points)",
    "agency_name": "Nom de l'agence de recouvrement (organisation agence ; vide sinon)",
    "total_claimed": "Total réclamé : principal, pénalités et indemnités",
    "today": "Date du jour",
    "agent_name": "Nom du signataire ou de l'agent en charge du dossier",
    "dispute_invoice": "Numéro de la facture contestée (issue d'un litige)",
    "dispute_outcome_text": "Phrase qui dit au débiteur l'issue de son litige et ce qui reste dû",
    "instalment_number": "Numéro de l'échéance de l'échéancier",
    "instalment_amount": "Montant de l'échéance de l'échéancier, avec la devise",
    "instalment_date": "Date de l'échéance de l'échéancier",
    "plan_reference": "Référence de l'échéancier à rappeler lors du virement (ex. Échéancier n° 12)",
}

_NAME = re.compile(r"[a-z_][a-z0-9_]*")
# A blank line (possibly holding spaces) separates paragraphs, as in a plain-text e-mail.
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


class PlaceholderError(ValueError):
    """Base of the errors a template or its rendering can raise."""


class UnknownPlaceholder(PlaceholderError):
    def __init__(self, name: str) -> None:
        self.name = name
        self.allowed = tuple(sorted(PLACEHOLDERS))
        super().__init__(
            f"Variable inconnue « {{{{ {name} }}}} ». Variables autorisées : {', '.join(self.allowed)}."
        )


class MissingValue(PlaceholderError):
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"Aucune valeur pour la variable « {{{{ {name} }}}} ».")


class PlaceholderSyntaxError(PlaceholderError):
    """Unbalanced braces or something other than a name between them."""


@dataclass(frozen=True)
class _Slot:
    name: str


_Token = str | _Slot


def _normalise(text: str) -> str:
    # Browsers submit textareas with CRLF; a single form keeps paragraph detection and SMS length honest.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _scan(text: str) -> Iterator[_Token | PlaceholderSyntaxError]:
    """Literal text and placeholder slots in order; syntax problems are yielded, not raised, so that
    `template_errors` can report them all while `render` stops at the first."""
    position = 0
    while True:
        opening = text.find("{{", position)
        closing = text.find("}}", position)
        if opening == -1:
            if closing != -1:
                yield PlaceholderSyntaxError(
                    f"« }}}} » sans « {{{{ » correspondant : {_excerpt(text, closing)}"
                )
            yield text[position:]
            return
        if closing != -1 and closing < opening:
            yield PlaceholderSyntaxError(f"« }}}} » sans « {{{{ » correspondant : {_excerpt(text, closing)}")
            yield text[position:closing]
            position = closing + 2
            continue
        yield text[position:opening]
        end = text.find("}}", opening + 2)
        nested = text.find("{{", opening + 2)
        if end == -1 or (nested != -1 and nested < end):
            yield PlaceholderSyntaxError(f"« {{{{ » non refermé : {_excerpt(text, opening)}")
            position = opening + 2
            continue
        inner = text[opening + 2 : end].strip()
        if not _NAME.fullmatch(inner):
            shown = inner or " "
            yield PlaceholderSyntaxError(
                f"« {{{{ {shown} }}}} » n'est pas un nom de variable "
                "(lettres minuscules, chiffres et _ seulement)."
            )
        else:
            yield _Slot(inner)
        position = end + 2


def _excerpt(text: str, at: int) -> str:
    return "« " + text[max(0, at - 15) : at + 17].replace("\n", " ") + " »"


def _tokens(text: str) -> list[_Token]:
    """Tokens of a valid template; raises the first problem found."""
    tokens: list[_Token] = []
    for item in _scan(_normalise(text)):
        if isinstance(item, PlaceholderError):
            raise item
        if isinstance(item, _Slot) and item.name not in PLACEHOLDERS:
            raise UnknownPlaceholder(item.name)
        tokens.append(item)
    return tokens


def _value(context: Mapping[str, str], name: str) -> str:
    value = context.get(name)
    if value is None:
        raise MissingValue(name)
    return str(value)


def template_errors(text: str) -> list[str]:
    """Every problem of an edited text, for a form to show at once; empty when it is valid."""
    errors: list[str] = []
    for item in _scan(_normalise(text)):
        if isinstance(item, PlaceholderError):
            message = str(item)
        elif isinstance(item, _Slot) and item.name not in PLACEHOLDERS:
            message = str(UnknownPlaceholder(item.name))
        else:
            continue
        if message not in errors:
            errors.append(message)
    return errors


def placeholder_names(text: str) -> list[str]:
    """The names a text uses, in order of first use (for a preview or a help panel)."""
    names: list[str] = []
    for item in _scan(_normalise(text)):
        if isinstance(item, _Slot) and item.name not in names:
            names.append(item.name)
    return names


def render(text: str, context: Mapping[str, str]) -> str:
    """Plain-text rendering (e-mail text part, SMS, call script, letter paragraphs). Values are inserted
    as they are and never rendered again, so a value holding `{{ … }}` stays literal."""
    return "".join(_value(context, t.name) if isinstance(t, _Slot) else t for t in _tokens(text))


def render_html(text: str, context_text: Mapping[str, str], context_html: Mapping[str, str]) -> str:
    """HTML rendering for the e-mail HTML part. The template and the text values are escaped; the values
    of `context_html` (built by the product, e.g. `invoices_table` as a <table>) are inserted as they are.
    Blank-line separated paragraphs become <p>, single newlines <br>; a paragraph made of one HTML value
    alone is not wrapped, since a <table> inside a <p> is invalid HTML."""
    paragraphs: list[list[_Token]] = [[]]
    for token in _tokens(text):
        if isinstance(token, _Slot):
            paragraphs[-1].append(token)
            continue
        first, *others = _PARAGRAPH_BREAK.split(token)
        paragraphs[-1].append(first)
        paragraphs.extend([part] for part in others)

    blocks: list[str] = []
    for paragraph in paragraphs:
        content = [t for t in paragraph if not (isinstance(t, str) and not t.strip())]
        if not content:
            continue
        if len(content) == 1 and isinstance(content[0], _Slot) and content[0].name in context_html:
            blocks.append(context_html[content[0].name])
            continue
        # Newlines at a paragraph's edges are layout of the source, not line breaks to keep.
        if isinstance(paragraph[0], str):
            paragraph[0] = paragraph[0].lstrip()
        if isinstance(paragraph[-1], str):
            paragraph[-1] = paragraph[-1].rstrip()
        parts: list[str] = []
        for token in paragraph:
            if isinstance(token, _Slot) and token.name in context_html:
                parts.append(context_html[token.name])
            else:
                raw = _value(context_text, token.name) if isinstance(token, _Slot) else token
                parts.append(_escape_lines(raw))
        blocks.append("<p>" + "".join(parts) + "</p>")
    return "\n".join(blocks)


def _escape_lines(text: str) -> str:
    return html.escape(_normalise(text), quote=True).replace("\n", "<br>\n")
