"""The daily print batch for the mailing house: every letter of the day in one PDF, and a CSV that
lists them. Pure: letters in, bytes and text out.

Duplex printing: each letter starts on an odd page (a blank page follows a letter with an odd page
count, the last one included), so that a sheet never carries two debtors' letters and the batch is a
whole number of sheets.

The PDF is laid out again from each letter's content with WeasyPrint and merged with
`Document.copy`, which needs no PDF parser; because the stored PDF is what the debtor's history
keeps as sent, each letter's new layout must reproduce its stored bytes exactly, or the batch is
refused (`LetterChanged`): a difference means the code, the stylesheet or the fonts changed since
the letter was stored, and what is printed must never differ from what was recorded.

The CSV is what French mailing houses and Excel read without an import dialog: UTF-8 with a byte
order mark (Excel otherwise reads it as Windows-1252), `;` as the separator (the list separator of
French locales, where `,` is the decimal mark), CRLF line ends, one row per letter."""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from weasyprint import CSS, HTML, Document, Page
from weasyprint.pdf.metadata import DocumentMetadata

from .content import LetterContent, Party
from .render import LetterRenderer, reproducible_pdfs, write_pdf

CSV_COLUMNS = (
    "sequence",
    "action_id",
    "registered",
    "recipient_name",
    "address_line_1",
    "address_line_2",
    "address_line_3",
    "address_line_4",
    "postcode",
    "city",
    "country",
    "pages",
    "first_page",
    "sheets",
    "reference",
    "tracking_number",
)
# A French postal address has at most 4 lines between the recipient's name and the locality (NF Z 10-011).
STREET_LINES = 4
DOMESTIC_COUNTRY = "FRANCE"
FRENCH_LOCALITY = re.compile(r"^(\d{5})\s+(.+)$")
# "1000 Bruxelles", "D-10115 Berlin"; a postcode written after the town (UK, US) stays in `city`.
LEADING_POSTCODE = re.compile(r"^((?:[A-Z]{1,2}-)?\d[\d-]*)\s+(.+)$")
# Cells that Excel would read as a formula (OWASP "CSV injection"); names and addresses come from imports.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class LetterChanged(Exception):
    """A letter no longer lays out as the PDF stored for it."""

    def __init__(self, action_ids: Sequence[int]) -> None:
        self.action_ids = tuple(action_ids)
        super().__init__(
            f"letters of actions {', '.join(map(str, self.action_ids))} no longer render as stored"
            " (the code, the stylesheet or the fonts changed since): render and store them again"
            " before printing"
        )


@dataclass(frozen=True)
class PostalAddress:
    street_lines: tuple[str, ...]
    postcode: str
    city: str
    country: str


@dataclass(frozen=True)
class BatchLetter:
    """One letter's row in the CSV."""

    sequence: int
    action_id: int
    registered: bool
    recipient_name: str
    address: PostalAddress
    pages: int
    first_page: int
    sheets: int
    reference: str


@dataclass(frozen=True)
class PrintBatch:
    batch_date: date
    pdf: bytes
    csv: str  # starts with U+FEFF: write it with encoding="utf-8" (not "utf-8-sig", which adds another)
    letters: tuple[BatchLetter, ...]
    page_count: int  # blank pages included
    sheet_count: int

    @property
    def csv_bytes(self) -> bytes:
        return self.csv.encode("utf-8")


def split_address(party: Party) -> PostalAddress:
    """Reads `address_lines` as content.py describes them: street lines, then "postcode city", then the
    country when abroad. A French locality line ends the address; otherwise a last line without a digit
    is the country. Foreign postcodes are split only when they lead their line; the letter itself prints
    the lines as given, so this only affects the CSV columns."""
    lines = [line.strip() for line in party.address_lines if line.strip()]
    country = DOMESTIC_COUNTRY
    if lines and not FRENCH_LOCALITY.match(lines[-1]) and len(lines) >= 2 and not re.search(r"\d", lines[-1]):
        country = lines.pop()
    locality = lines.pop() if lines else ""
    match = FRENCH_LOCALITY.match(locality) or LEADING_POSTCODE.match(locality)
    postcode, city = (match.group(1), match.group(2)) if match else ("", locality)
    if len(lines) > STREET_LINES:
        lines[STREET_LINES - 1 :] = [", ".join(lines[STREET_LINES - 1 :])]
    return PostalAddress(tuple(lines), postcode, city, country)


def _cell(value: object) -> str:
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


def batch_csv(letters: Sequence[BatchLetter]) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_COLUMNS)
    for letter in letters:
        street = (*letter.address.street_lines, *([""] * STREET_LINES))[:STREET_LINES]
        writer.writerow(
            [
                letter.sequence,
                letter.action_id,
                "yes" if letter.registered else "no",
                _cell(letter.recipient_name),
                *(_cell(line) for line in street),
                _cell(letter.address.postcode),
                _cell(letter.address.city),
                _cell(letter.address.country),
                letter.pages,
                letter.first_page,
                letter.sheets,
                _cell(letter.reference),
                "",  # tracking_number: the mailing house fills it in for registered letters
            ]
        )
    return out.getvalue()


def _blank_page(renderer: LetterRenderer) -> Document:
    # Without the letter's stylesheet: its footer would print "page 1/1" on the blank side.
    blank = CSS(string="@page { size: A4; margin: 0 }", font_config=renderer.font_config)
    return HTML(string="<!DOCTYPE html><html><body></body></html>", url_fetcher=renderer.url_fetcher).render(
        font_config=renderer.font_config, stylesheets=[blank]
    )


def layout_print_batch(
    letters: Sequence[tuple[LetterContent, bytes]], renderer: LetterRenderer
) -> tuple[Document, tuple[BatchLetter, ...]]:
    """The batch's pages, blank ones included, and its CSV rows; raises LetterChanged."""
    if not letters:
        raise ValueError("a print batch needs at least one letter")
    if not reproducible_pdfs():
        raise RuntimeError(
            "the print batch needs libharfbuzz-subset0 (HarfBuzz >= 4.1) for reproducible PDFs: install it"
        )
    blank_document = _blank_page(renderer)
    blank = blank_document.pages[0]
    pages: list[Page] = []
    rows: list[BatchLetter] = []
    changed: list[int] = []
    for sequence, (content, stored_pdf) in enumerate(letters, start=1):
        document = renderer.layout(content)
        if write_pdf(document) != stored_pdf:
            changed.append(content.action_id)
            continue
        count = len(document.pages)
        rows.append(
            BatchLetter(
                sequence=sequence,
                action_id=content.action_id,
                registered=content.registered,
                recipient_name=content.debtor.name,
                address=split_address(content.debtor),
                pages=count,
                first_page=len(pages) + 1,
                sheets=math.ceil(count / 2),
                reference=content.reference,
            )
        )
        pages.extend(document.pages)
        if count % 2:
            pages.append(blank)
    if changed:
        raise LetterChanged(changed)
    return blank_document.copy(pages), tuple(rows)


def build_print_batch(
    letters: Sequence[tuple[LetterContent, bytes]],
    *,
    batch_date: date,
    renderer: LetterRenderer | None = None,
) -> PrintBatch:
    """`letters`: each letter's content and the PDF stored for it, in the order they are to be printed."""
    document, rows = layout_print_batch(letters, renderer or LetterRenderer())
    document.metadata = DocumentMetadata(
        title=f"Courrier du {batch_date:%d/%m/%Y} ({len(rows)} lettres)", generator="recouvre"
    )
    return PrintBatch(
        batch_date=batch_date,
        pdf=write_pdf(document),
        csv=batch_csv(rows),
        letters=rows,
        page_count=len(document.pages),
        sheet_count=len(document.pages) // 2,
    )
