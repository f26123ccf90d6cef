"""The daily print batch for the mailing house: every letter of the day in one PDF, and a CSV that
lists them. Pure: letters in, bytes and text out.

Duplex printing: each letter starts on an odd page (a blank page follows a letter with an odd page
count, the last one included), so that a sheet never carries two debtors' letters and the batch is a
whole number of sheets.

The PDF is the letters' stored PDFs merged page for page (pypdf), never laid out again: what is
printed is by construction what the debtor's history keeps as sent, and a batch of a day's letters
costs a merge, not a second rendering.

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

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError

from .content import LetterContent, Party

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


def build_print_batch(letters: Sequence[tuple[LetterContent, bytes]], *, batch_date: date) -> PrintBatch:
    """`letters`: each letter's content and the PDF stored for it, in the order they are to be printed.
    The batch is the stored PDFs themselves, page for page (what is printed is what was recorded),
    with a blank page after each letter of an odd page count so that duplex printing never puts two
    debtors on one sheet."""
    if not letters:
        raise ValueError("a print batch needs at least one letter")
    writer = PdfWriter()
    rows: list[BatchLetter] = []
    for sequence, (content, stored_pdf) in enumerate(letters, start=1):
        try:
            reader = PdfReader(io.BytesIO(stored_pdf))
            pages = list(reader.pages)
        except (PdfReadError, ValueError) as exc:
            raise ValueError(f"the stored PDF of action {content.action_id} cannot be read: {exc}") from exc
        if not pages:
            raise ValueError(f"the stored PDF of action {content.action_id} has no page")
        first_page = len(writer.pages) + 1
        for page in pages:
            writer.add_page(page)
        if len(pages) % 2:
            box = pages[-1].mediabox
            writer.add_blank_page(width=box.width, height=box.height)
        rows.append(
            BatchLetter(
                sequence=sequence,
                action_id=content.action_id,
                registered=content.registered,
                recipient_name=content.debtor.name,
                address=split_address(content.debtor),
                pages=len(pages),
                first_page=first_page,
                sheets=math.ceil(len(pages) / 2),
                reference=content.reference,
            )
        )
    writer.add_metadata(
        {"/Title": f"Courrier du {batch_date:%d/%m/%Y} ({len(rows)} lettres)", "/Producer": "recouvre"}
    )
    out = io.BytesIO()
    writer.write(out)
    return PrintBatch(
        batch_date=batch_date,
        pdf=out.getvalue(),
        csv=batch_csv(rows),
        letters=tuple(rows),
        page_count=len(writer.pages),
        sheet_count=len(writer.pages) // 2,
    )
