"""The compliance check every outgoing document passes before it leaves (french-law.md, digest §4.4,
§6): the mandatory mentions for its kind are present, nothing is claimed from a consumer that the law
forbids, and nothing imitates a court or bailiff's document or threatens a measure a creditor cannot
take without a title.

It reads the document as the recipient will read it (the text of the e-mail, the text of the printed
letter) plus a few facts the caller knows for certain (the debtor's type, whether the sender is an
agency, the figures claimed). A document with findings does not leave. Pure: no Django."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

POSTAL = ("letter", "registered_letter")
CLAIMING_STEPS = ("letter", "formal_notice")

# CPCE L111-8, paragraphs 2 and 3, which an agency's letter must reproduce word for word (R124-4 5°).
L111_8_PARAGRAPHS = (
    "Les frais de recouvrement entrepris sans titre exécutoire restent à la charge du créancier, sauf "
    "s'ils concernent un acte dont l'accomplissement est prescrit par la loi au créancier. Toute "
    "stipulation contraire est réputée non écrite, sauf disposition législative contraire.",
    "Cependant, le créancier qui justifie du caractère nécessaire des démarches entreprises pour "
    "recouvrer sa créance peut demander au juge de l'exécution de laisser tout ou partie des frais "
    "ainsi exposés à la charge du débiteur de mauvaise foi.",
)


@dataclass(frozen=True)
class Document:
    channel: str  # "email", "sms", "letter", "registered_letter"
    step: str  # the dunning step: courtesy, reminder_1, ..., letter, formal_notice
    debtor_type: str  # "B2B", "B2C", "PUBLIC"
    language: str  # "fr" or "en"
    text: str  # everything the recipient reads, as plain text
    # Sums the figures claim beyond the principal and interest (the 40 EUR indemnity, any fee).
    fees_claimed: Decimal = Decimal("0")
    # How the document must print the total claimed and the deadline (a formal notice), as the
    # caller formats them; empty when the document has none.
    total_text: str = ""
    deadline_texts: tuple[str, ...] = ()
    # An agency collecting for a creditor (CPCE R124-4): who is who, as printed.
    agency_name: str = ""
    agency_address: str = ""
    creditor_name: str = ""
    creditor_address: str = ""
    payment_texts: tuple[str, ...] = ()  # the IBAN or link by which one pays, as printed


@dataclass(frozen=True)
class Finding:
    code: str
    detail: str  # what was found or is missing, in English, for the log and the action's reason


def normalised(text: str) -> str:
    """Lower case, one kind of apostrophe, single spaces: what a pattern is matched against."""
    text = unicodedata.normalize("NFC", text).replace("\u2019", "'").replace("\u00a0", " ")
    text = text.replace("\u202f", " ")
    return re.sub(r"\s+", " ", text).strip().lower()


# A rate printed as a percentage, and the 40 EUR indemnity in either language's way of writing it.
_RATE = re.compile(r"\b\d{1,2}(?:[.,]\d{1,3})? ?%")
_FORTY = re.compile(r"(?<![\d.,])40(?:[.,]00)? ?(?:€|eur\b|euros?\b)|(?:€|eur) ?40(?:[.,]00)?\b")
_PENALTY_WORDS = re.compile(r"pénalités de retard|intérêts moratoires|late[- ]payment (?:interest|penalt)")

# What a consumer may not be charged before an enforceable title (CPCE L111-8, C. conso.).
_FEES = re.compile(
    r"indemnités? forfaitaires?|frais (?:de |d')(?:recouvrement|dossier|gestion|relance|traitement)"
    r"|fixed compensation|recovery (?:costs?|fees?)|collection (?:costs?|fees?)|administration fees?"
    r"|handling fees?|late fees?|" + _FORTY.pattern
)
_NEGATION = re.compile(r"\b(?:aucune?s?|sans|ni|pas de|pas d'|no|not|never|without|free of)\b")

# Wording that imitates a court or a bailiff's act (C. pénal 433-13), or threatens what only a
# title allows (a seizure) or what the creditor cannot do at all.
_IMITATION = (
    ("court_imitation", r"au nom du peuple français"),
    ("court_imitation", r"république française"),
    ("court_imitation", r"acte d'huissier|\bhuissiers?\b"),
    ("court_imitation", r"commandement de payer|sommation de payer|\bsommation\b"),
    ("court_imitation", r"signification|formule exécutoire|avis d'exécution|titre exécutoire délivré"),
    ("court_imitation", r"\bbailiffs?\b|\bwrit\b|court order|enforcement notice|notice of execution"),
    ("court_imitation", r"\bsummons\b"),
)
_THREATS = (
    (
        "unlawful_threat",
        r"\bsaisies?\b|\bsaisi\w* (?:de |sur )?(?:tous )?(?:vos|votre|les|des) "
        r"(?:biens|comptes?|salaires?|meubles|véhicules?|rémunérations?)",
    ),
    ("unlawful_threat", r"exécution forcée|\bexpulsion\b"),
    ("unlawful_threat", r"fichier (?:de la )?banque de france|\bficp\b|\bfichage\b|fiché"),
    ("unlawful_threat", r"poursuites pénales|plainte pénale|porter plainte|\bprison\b|casier judiciaire"),
    ("unlawful_threat", r"votre employeur|vos voisins|votre famille"),
    ("unlawful_threat", r"\bseiz(?:e|ure)\b|garnish|\bcriminal\b|prosecut|\bprison\b|your employer"),
    ("unlawful_threat", r"credit (?:file|register|blacklist)"),
)


def _contains(text: str, fragment: str) -> bool:
    fragment = normalised(fragment)
    return bool(fragment) and fragment in text


def _fees_claimed_in_text(text: str) -> list[str]:
    found = []
    for match in re.finditer(_FEES, text):
        before = text[max(0, match.start() - 40) : match.start()]
        # "Aucun frais de recouvrement ne vous est réclamé" says the opposite of a claim.
        clause = re.split(r"[.;:!?]", before)[-1]
        if not _NEGATION.search(clause):
            found.append(match.group(0))
    return found


def document_check(document: Document) -> tuple[Finding, ...]:
    text = normalised(document.text)
    findings: list[Finding] = []
    postal = document.channel in POSTAL

    if "{{" in text or "}}" in text:
        findings.append(Finding("placeholder_left", "a {{ placeholder }} was not replaced"))

    for code, pattern in (*_IMITATION, *_THREATS):
        match = re.search(pattern, text)
        if match:
            findings.append(Finding(code, f"forbidden wording: {match.group(0)!r}"))

    if document.debtor_type == "B2C":
        if document.fees_claimed > 0:
            findings.append(
                Finding("consumer_fees", f"{document.fees_claimed} of fees claimed from a consumer")
            )
        # The statute an agency must quote speaks of recovery fees in order to forbid them.
        quoted = text
        for paragraph in L111_8_PARAGRAPHS:
            quoted = quoted.replace(normalised(paragraph), " ")
        for words in _fees_claimed_in_text(quoted):
            findings.append(Finding("consumer_fees", f"fees claimed from a consumer: {words!r}"))

    professional = document.debtor_type in ("B2B", "PUBLIC")
    if postal and professional and document.step in CLAIMING_STEPS:
        if not (_PENALTY_WORDS.search(text) and _RATE.search(text)):
            findings.append(Finding("penalty_rate_missing", "the late-payment penalty rate is not stated"))
        if not _FORTY.search(text):
            findings.append(Finding("indemnity_missing", "the 40 EUR recovery indemnity is not stated"))

    if document.step == "formal_notice":
        words = "mise en demeure" if document.language != "en" else "formal notice"
        if words not in text and "mise en demeure" not in text:
            findings.append(Finding("formal_notice_words", f"the words {words!r} are missing"))
        if not document.total_text or not _contains(text, document.total_text):
            findings.append(Finding("formal_notice_total", "the total claimed is not stated"))
        if not any(_contains(text, deadline) for deadline in document.deadline_texts):
            findings.append(Finding("formal_notice_deadline", "the deadline to pay is not stated"))

    if document.agency_name:
        findings += _agency_findings(document, text, postal)
    return tuple(findings)


def _agency_findings(document: Document, text: str, postal: bool) -> list[Finding]:
    """CPCE R124-4: the agency and its activity, the creditor, the claim split by element, the
    demand with the means of payment, and L111-8 reproduced. An e-mail carries who is who."""
    findings = []
    activity = re.search(r"recouvrement amiable|amicable (?:debt )?collection", text)
    if not (_contains(text, document.agency_name) and activity):
        findings.append(
            Finding("agency_identity", "the agency and its amicable-collection activity are not stated")
        )
    if not _contains(text, document.creditor_name):
        findings.append(
            Finding("agency_creditor", "the creditor on whose behalf the agency acts is not named")
        )
    if not postal:
        return findings
    if not _contains(text, document.agency_address):
        findings.append(Finding("agency_identity", "the agency's address is not stated"))
    if not _contains(text, document.creditor_address):
        findings.append(Finding("agency_creditor", "the creditor's address is not stated"))
    elements = ("principal", r"intérêts|pénalités|interest")
    if not all(re.search(pattern, text) for pattern in elements):
        findings.append(Finding("agency_amount", "the claim is not split into principal and interest"))
    if not any(_contains(text, means) for means in document.payment_texts):
        findings.append(Finding("agency_payment", "no means of payment is stated"))
    if not all(_contains(text, paragraph) for paragraph in L111_8_PARAGRAPHS):
        findings.append(Finding("agency_l111_8", "CPCE L111-8 paragraphs 2 and 3 are not reproduced"))
    return findings
