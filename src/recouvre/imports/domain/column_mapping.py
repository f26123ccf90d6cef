"""Column mappings: how a file that does not use the canonical column names (invoices-csv.md) is
read. A mapping is {source header, as the reader keys it → canonical column, or "" to ignore it}.

Pure: no Django. The suggestion for a new file is a saved mapping that knows its headers, else
close names ("N° facture" → invoice_number, "Date d'échéance" → due_date)."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from recouvre.imports.domain.csv_reader import COLUMNS, REQUIRED

IGNORE = ""

# Names seen in French accounting and spreadsheet exports, written as `_simplified` leaves them.
ALIASES: dict[str, tuple[str, ...]] = {
    "invoice_number": (
        "numero facture",
        "numero de facture",
        "facture",
        "num facture",
        "ref facture",
        "reference facture",
        "numero piece",
        "piece",
        "invoice",
        "invoice no",
        "invoice number",
        "invoice id",
    ),
    "debtor_ref": (
        "code client",
        "compte client",
        "ref client",
        "reference client",
        "numero client",
        "numero de client",
        "compte auxiliaire",
        "compte tiers",
        "code tiers",
        "customer code",
        "customer ref",
        "customer id",
        "account",
    ),
    "debtor_name": (
        "client",
        "nom client",
        "nom du client",
        "raison sociale",
        "nom",
        "societe",
        "debiteur",
        "nom debiteur",
        "customer",
        "customer name",
    ),
    "debtor_type": ("type client", "type de client", "type debiteur", "customer type"),
    "debtor_segment": ("segment", "segment client", "taille entreprise", "categorie client"),
    "debtor_siren": ("siren", "siret", "numero siren", "numero siret", "siren siret"),
    "debtor_vat": (
        "tva intracommunautaire",
        "numero tva",
        "numero de tva",
        "tva intra",
        "vat",
        "vat number",
    ),
    "debtor_email": ("email", "e mail", "courriel", "mail", "adresse email", "adresse e mail"),
    "debtor_phone": ("telephone", "tel", "portable", "mobile", "phone", "phone number"),
    "debtor_address": ("adresse", "rue", "address", "street"),
    "debtor_postcode": ("code postal", "cp", "postcode", "postal code", "zip"),
    "debtor_city": ("ville", "commune", "localite", "city", "town"),
    "debtor_country": ("pays", "code pays", "country"),
    "issue_date": (
        "date facture",
        "date de facture",
        "date de la facture",
        "date emission",
        "date d emission",
        "date piece",
        "date",
        "invoice date",
    ),
    "due_date": (
        "date echeance",
        "date d echeance",
        "echeance",
        "date limite de paiement",
        "date limite",
        "due date",
    ),
    "amount": ("montant", "montant ttc", "total ttc", "ttc", "montant facture", "total", "amount"),
    "amount_excl_tax": ("montant ht", "total ht", "ht", "net amount", "amount excl tax"),
    "currency": ("devise", "monnaie", "currency"),
    "open_amount": (
        "reste a payer",
        "reste du",
        "restant du",
        "montant restant",
        "montant du",
        "solde",
        "solde restant",
        "open amount",
        "balance",
    ),
    "paid_date": (
        "date paiement",
        "date de paiement",
        "date reglement",
        "date de reglement",
        "paid date",
        "payment date",
    ),
    "disputed": ("litige", "en litige", "litigieux", "contestee", "disputed"),
    "po_number": (
        "bon de commande",
        "numero commande",
        "numero de commande",
        "commande",
        "ref commande",
        "po",
        "purchase order",
    ),
    "document_type": ("type document", "type de document", "type piece", "type de piece"),
    "applies_to": ("facture d origine", "facture liee", "facture concernee", "applies to"),
    "delivery_date": (
        "date livraison",
        "date de livraison",
        "date prestation",
        "date de prestation",
        "delivery date",
    ),
    "payment_terms": (
        "conditions de paiement",
        "conditions de reglement",
        "delai de paiement",
        "terms",
        "payment terms",
    ),
    "debtor_language": ("langue", "language"),
}
# A header this close to a known name (difflib's ratio) is taken for it: typos and plurals
# ("Montants TTC", "Echéance") but not a different word.
CLOSE_ENOUGH = 0.86


def header_key(name: str) -> str:
    """How the reader keys a header, and so a mapping's source names."""
    return name.strip().lower()


def _simplified(name: str) -> str:
    """Accents, case, punctuation and the "n°" abbreviations out of the way."""
    text = unicodedata.normalize("NFKD", name.strip().lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"\bn\s*[°º]\s*|\bno\b\.?|\bnum\b\.?|\bnbr\b", " numero ", text)
    text = text.replace("°", " ").replace("º", " ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


_KNOWN: dict[str, str] = {}
for _column in COLUMNS:
    _KNOWN[_simplified(_column.replace("_", " "))] = _column
    for _alias in ALIASES.get(_column, ()):
        _KNOWN.setdefault(_simplified(_alias), _column)


def close_column(name: str) -> str:
    """The canonical column a header most likely means, or IGNORE."""
    key = header_key(name)
    if key in COLUMNS:
        return key
    simple = _simplified(name)
    if simple in _KNOWN:
        return _KNOWN[simple]
    close = difflib.get_close_matches(simple, list(_KNOWN), n=1, cutoff=CLOSE_ENOUGH)
    return _KNOWN[close[0]] if close else IGNORE


@dataclass(frozen=True)
class SavedMapping:
    name: str
    columns: Mapping[str, str]


@dataclass(frozen=True)
class Suggestion:
    columns: dict[str, str]
    saved_name: str | None = None
    missing: tuple[str, ...] = field(default=())


def missing_required(columns: Mapping[str, str]) -> tuple[str, ...]:
    chosen = set(columns.values())
    return tuple(column for column in REQUIRED if column not in chosen)


def _deduplicated(headers: Sequence[str], guess: Mapping[str, str]) -> dict[str, str]:
    """Each canonical column once: a header naming it exactly wins, else the first header."""
    keys = [header_key(h) for h in headers]
    taken: set[str] = {key for key in keys if key in COLUMNS}
    result: dict[str, str] = {}
    for key in keys:
        if key in result:
            continue
        column = guess.get(key, IGNORE)
        if key in COLUMNS:
            column = key
        elif column in taken:
            column = IGNORE
        if column:
            taken.add(column)
        result[key] = column
    return result


def suggest_mapping(headers: Sequence[str], saved: Sequence[SavedMapping] = ()) -> Suggestion:
    """The saved mapping that knows most of the file's headers (all of them, or at least enough to
    read the required columns) fills what it knows; close names fill the rest."""
    keys = [header_key(h) for h in headers if header_key(h)]
    best: SavedMapping | None = None
    best_known = 0
    for mapping in saved:
        known = sum(1 for key in keys if key in mapping.columns)
        usable = known == len(keys) or not missing_required(
            {key: mapping.columns[key] for key in keys if key in mapping.columns}
        )
        if known and usable and known > best_known:
            best, best_known = mapping, known
    guess = {key: close_column(key) for key in keys}
    if best is not None:
        guess.update({key: best.columns[key] for key in keys if key in best.columns})
    columns = _deduplicated(keys, guess)
    return Suggestion(
        columns=columns,
        saved_name=best.name if best else None,
        missing=missing_required(columns),
    )


def mapping_problems(columns: Mapping[str, str]) -> list[str]:
    """What makes a mapping unusable, in English like the reader's refusals."""
    problems: list[str] = []
    unknown = sorted({c for c in columns.values() if c and c not in COLUMNS})
    if unknown:
        problems.append(f"unknown column(s): {', '.join(unknown)}")
    chosen = [c for c in columns.values() if c]
    twice = sorted({c for c in chosen if chosen.count(c) > 1})
    if twice:
        problems.append(f"column(s) chosen twice: {', '.join(twice)}")
    missing = missing_required(columns)
    if missing:
        problems.append(f"required column(s) not mapped: {', '.join(missing)}")
    return problems
