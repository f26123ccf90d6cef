"""Column mappings (pure): close names, saved mappings, and what makes a mapping unusable."""

import io

import pytest

from recouvre.imports.domain.column_mapping import (
    SavedMapping,
    close_column,
    mapping_problems,
    suggest_mapping,
)
from recouvre.imports.domain.csv_reader import COLUMNS, FileRefused, read_csv, read_sample
from recouvre.imports.domain.preview import preview_lines
from recouvre.imports.enums import CsvColumn

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("N° facture", "invoice_number"),
        ("N° de facture", "invoice_number"),
        ("No facture", "invoice_number"),
        ("Numéro de facture", "invoice_number"),
        ("Date d'échéance", "due_date"),
        ("Echeance", "due_date"),
        ("Date facture", "issue_date"),
        ("Montant TTC", "amount"),
        ("Montants TTC", "amount"),
        ("Montant HT", "amount_excl_tax"),
        ("Reste à payer", "open_amount"),
        ("Code client", "debtor_ref"),
        ("Compte auxiliaire", "debtor_ref"),
        ("Raison sociale", "debtor_name"),
        ("SIRET", "debtor_siren"),
        ("Courriel", "debtor_email"),
        ("Téléphone", "debtor_phone"),
        ("Code postal", "debtor_postcode"),
        ("Litige", "disputed"),
        ("Invoice Number", "invoice_number"),
        ("  DUE_DATE ", "due_date"),
        ("Commentaire", ""),
        ("Zone libre 3", ""),
    ],
)
def test_close_names(header, column):
    assert close_column(header) == column


def test_every_canonical_column_has_a_label_for_people():
    assert [value for value, _label in CsvColumn.choices] == list(COLUMNS)


def test_a_canonical_column_is_chosen_once_and_an_exact_name_wins():
    suggestion = suggest_mapping(
        ["Montant", "amount", "Montant TTC", "N° facture", "Code client", "Date", "Echéance"]
    )
    assert suggestion.columns == {
        "montant": "",
        "amount": "amount",
        "montant ttc": "",
        "n° facture": "invoice_number",
        "code client": "debtor_ref",
        "date": "issue_date",
        "echéance": "due_date",
    }
    assert suggestion.missing == ()
    assert suggestion.saved_name is None


def test_missing_required_columns_are_listed():
    assert suggest_mapping(["N° facture", "Montant"]).missing == ("debtor_ref", "issue_date", "due_date")


def test_a_saved_mapping_that_knows_the_headers_is_preferred_to_close_names():
    saved = [
        SavedMapping("Other", {"ref": "po_number"}),
        SavedMapping(
            "Sage",
            {
                "pièce": "invoice_number",
                "tiers": "debtor_ref",
                "date": "issue_date",
                "éch.": "due_date",
                "ttc": "amount",
                "libellé": "",
            },
        ),
    ]
    suggestion = suggest_mapping(["Pièce", "Tiers", "Date", "Éch.", "TTC", "Libellé", "Ville"], saved)
    assert suggestion.saved_name == "Sage"
    assert suggestion.columns["éch."] == "due_date"
    assert suggestion.columns["libellé"] == ""
    assert suggestion.columns["ville"] == "debtor_city"  # not in the saved mapping: close names
    assert suggestion.missing == ()


def test_a_saved_mapping_that_cannot_read_the_file_is_not_suggested():
    saved = [SavedMapping("Partial", {"x": "po_number", "y": "amount"})]
    suggestion = suggest_mapping(["x", "z"], saved)
    assert suggestion.saved_name is None


def test_mapping_problems():
    assert (
        mapping_problems(
            {"a": "invoice_number", "b": "debtor_ref", "c": "issue_date", "d": "due_date", "e": "amount"}
        )
        == []
    )
    assert mapping_problems({"a": "amount", "b": "amount", "c": "colour"}) == [
        "unknown column(s): colour",
        "column(s) chosen twice: amount",
        "required column(s) not mapped: invoice_number, debtor_ref, issue_date, due_date",
    ]


FRENCH = (
    "N° facture;Code client;Client;Date facture;Echéance;Montant TTC;Note\n"
    "F1;411A;Alpha;01/10/2026;31/10/2026;10,00;x\n"
    "F2;411A;;01/10/2026;2026-09-01;abc;\n"
)
MAPPING = {
    "n° facture": "invoice_number",
    "code client": "debtor_ref",
    "client": "debtor_name",
    "date facture": "issue_date",
    "echéance": "due_date",
    "montant ttc": "amount",
    "note": "",
}


def test_the_reader_renames_columns_before_checking_them():
    with pytest.raises(FileRefused, match="not a header"):
        read_csv(io.BytesIO(FRENCH.encode()))
    header, records = read_csv(io.BytesIO(FRENCH.encode()), MAPPING)
    assert header.unknown == []  # a column the mapping ignores is no "unknown column"
    line, row = next(records)
    assert (line, row["invoice_number"], row["amount"], row["due_date"]) == (2, "F1", "10,00", "31/10/2026")


def test_the_preview_parses_the_first_lines_with_the_mapping():
    preview = preview_lines(io.BytesIO(FRENCH.encode()), MAPPING)
    first, second = preview.rows
    assert first.invoice.number == "F1"
    assert first.errors == ()
    assert second.invoice is None
    assert {(e.line, e.column) for e in second.errors} == {(3, "amount"), (3, "due_date")}
    assert preview.error_count == 2


def test_the_preview_says_why_a_file_cannot_be_read():
    preview = preview_lines(io.BytesIO(FRENCH.encode()), {})
    assert preview.rows == ()
    assert "not a header" in preview.refused
    assert preview_lines(io.BytesIO(FRENCH.encode()), {**MAPPING, "montant ttc": ""}).refused == (
        "required column(s) missing from the header: amount"
    )


def test_the_sample_keeps_the_files_own_names_and_refuses_what_is_no_csv():
    sample = read_sample(io.BytesIO(FRENCH.encode("cp1252")), limit=1)
    assert sample.names[4] == "Echéance"
    assert (sample.delimiter, sample.encoding, len(sample.rows)) == (";", "cp1252", 1)
    with pytest.raises(FileRefused, match="empty"):
        read_sample(io.BytesIO(b""))
    with pytest.raises(FileRefused, match="binary"):
        read_sample(io.BytesIO(b"a;b\n\x00\x01\x02\n"))
    with pytest.raises(FileRefused, match="binary"):
        read_sample(io.BytesIO(b"name,value\nx,\x07\x08\n"))
