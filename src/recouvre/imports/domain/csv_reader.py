"""Streaming reader for the canonical invoice CSV (shared/spec/invoices-csv.md): encoding and
delimiter detection, header mapping, one record at a time with the line number it starts on.

Pure: it takes a binary stream and yields dictionaries; it never touches the database. A file it
cannot read raises FileRefused with a message naming what is wrong."""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import BinaryIO

COLUMNS: tuple[str, ...] = (
    "invoice_number",
    "debtor_ref",
    "debtor_name",
    "debtor_type",
    "debtor_segment",
    "debtor_siren",
    "debtor_vat",
    "debtor_email",
    "debtor_phone",
    "debtor_address",
    "debtor_postcode",
    "debtor_city",
    "debtor_country",
    "issue_date",
    "due_date",
    "amount",
    "amount_excl_tax",
    "currency",
    "open_amount",
    "paid_date",
    "disputed",
    "po_number",
    "document_type",
    "applies_to",
    "delivery_date",
    "payment_terms",
    "debtor_language",
)
# Key of a record that could not be split into the header's columns.
STRUCTURE_ERROR = "__structure__"
REQUIRED: tuple[str, ...] = ("invoice_number", "debtor_ref", "issue_date", "due_date", "amount")

_UTF8_BOM = b"\xef\xbb\xbf"
# Text encoded as UTF-8 twice ("Ã©" for "é"): valid UTF-8, but mojibake that must not be imported.
_DOUBLE_ENCODED = re.compile("[\u00c2\u00c3][\u0080-\u00bf]")


class FileRefused(ValueError):
    """The file as a whole cannot be read; `line` is set when one line is to blame."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class CsvHeader:
    delimiter: str
    columns: list[str]
    encoding: str
    unknown: list[str] = field(default_factory=list)


class _Lines:
    """Decodes a binary stream line by line: UTF-8 (BOM or not) until a byte sequence proves the file
    is Windows-1252, then Windows-1252 for the rest. Switching is safe only while every line so far
    was plain ASCII, which both encodings read the same; a file mixing real UTF-8 and Windows-1252 is
    refused rather than half-read."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.encoding = "utf-8"
        self._seen_non_ascii = False
        self.line_no = 0

    def __iter__(self) -> Iterator[str]:
        first = True
        for raw in self._stream:
            self.line_no += 1
            if first:
                first = False
                if raw.startswith(_UTF8_BOM):
                    raw = raw[len(_UTF8_BOM) :]
                    self._seen_non_ascii = True  # a BOM says UTF-8: never switch
            if b"\x00" in raw:
                raise FileRefused(
                    "this is a binary file, not a CSV text file (it contains NUL bytes)"
                    " — export the spreadsheet as CSV",
                    line=self.line_no,
                )
            yield self._decode(raw)

    def _decode(self, raw: bytes) -> str:
        if self.encoding == "utf-8":
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                if self._seen_non_ascii:
                    raise FileRefused(
                        f"line {self.line_no} is not valid UTF-8 while earlier lines were:"
                        " the file mixes encodings; re-export it as UTF-8",
                        line=self.line_no,
                    ) from None
                self.encoding = "cp1252"
            else:
                if not text.isascii():
                    self._seen_non_ascii = True
                    if _DOUBLE_ENCODED.search(text):
                        raise FileRefused(
                            f"line {self.line_no} contains text encoded twice (such as 'Ã©' for 'é'):"
                            " the export is garbled; re-export it as UTF-8",
                            line=self.line_no,
                        )
                return text
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            raise FileRefused(
                f"line {self.line_no} is neither UTF-8 nor Windows-1252 (Latin-1) text:"
                " this may not be a CSV file",
                line=self.line_no,
            ) from None


def _detect_delimiter(header_line: str) -> str:
    semicolons, commas = header_line.count(";"), header_line.count(",")
    if semicolons == 0 and commas == 0:
        return ","  # a one-column file: the header check below says what is missing
    return ";" if semicolons >= commas else ","


def _control_characters(text: str) -> bool:
    return any(ord(ch) < 32 and ch not in "\t\r\n" for ch in text)


def _header_line(line_iter: Iterator[str]) -> str:
    try:
        header_line = next(line_iter)
    except StopIteration:
        raise FileRefused("the file is empty (0 bytes)") from None
    if not header_line.strip():
        raise FileRefused(
            "the first line is empty: the file must start with a header line of column names", 1
        )
    if _control_characters(header_line):
        raise FileRefused("the first line contains control characters: this is not a CSV text file", 1)
    return header_line


def _column(name: str, mapping: Mapping[str, str] | None) -> str:
    key = name.strip().lower()
    if mapping and key in mapping:
        return mapping[key]  # "" for a column the mapping ignores
    return key


@dataclass
class CsvSample:
    """The header and first records as written in the file, before any mapping."""

    names: list[str]
    delimiter: str
    encoding: str
    rows: list[list[str]]


def read_sample(stream: BinaryIO, limit: int = 5) -> CsvSample:
    """The header's names and the first `limit` records as they are, refusing what is no CSV text
    (empty, binary, not a header) with the reader's messages; the required columns are not checked,
    since a mapping may provide them."""
    lines = _Lines(stream)
    line_iter = iter(lines)
    header_line = _header_line(line_iter)
    delimiter = _detect_delimiter(header_line)
    names = [name.strip() for name in next(csv.reader([header_line], delimiter=delimiter))]
    rows: list[list[str]] = []
    try:
        for values in csv.reader(line_iter, delimiter=delimiter, strict=True):
            if any(_control_characters(value) for value in values):
                raise FileRefused(
                    "this is a binary file, not a CSV text file — export the spreadsheet as CSV",
                    line=lines.line_no,
                )
            if values and any(value.strip() for value in values):
                rows.append(values)
            if len(rows) >= limit:
                break
    except csv.Error as exc:
        raise FileRefused(f"line {lines.line_no} is not well-formed CSV ({exc})", line=lines.line_no) from exc
    if not any(names):
        raise FileRefused("the first line is not a header: it has no column names", 1)
    return CsvSample(names=names, delimiter=delimiter, encoding=lines.encoding, rows=rows)


def read_csv(
    stream: BinaryIO, mapping: Mapping[str, str] | None = None
) -> tuple[CsvHeader, Iterator[tuple[int, dict[str, str]]]]:
    """Reads the header now (refusing a file without one) and returns an iterator of
    (line number where the record starts, {column: raw text}) for the rest. A `mapping`
    ({header in lower case: canonical column, or "" to ignore it}) renames the file's columns
    before anything is checked, so the rest of the import reads canonical names only."""
    lines = _Lines(stream)
    line_iter = iter(lines)
    header_line = _header_line(line_iter)
    delimiter = _detect_delimiter(header_line)
    names = next(csv.reader([header_line], delimiter=delimiter))
    columns = [_column(name, mapping) for name in names]
    known = [c for c in columns if c in COLUMNS]
    if not known:
        # A binary file (an image, a spreadsheet) often shows what it is only on its next lines.
        for following in itertools.islice(line_iter, 5):
            if _control_characters(following):
                raise FileRefused(
                    "this is a binary file, not a CSV text file — export the spreadsheet as CSV"
                )
        raise FileRefused(
            "the first line is not a header: expected column names such as "
            "invoice_number, debtor_ref, issue_date, due_date, amount",
            1,
        )
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise FileRefused(f"required column(s) missing from the header: {', '.join(missing)}", 1)
    duplicates = sorted({c for c in known if columns.count(c) > 1})
    if duplicates:
        raise FileRefused(f"column(s) named twice in the header: {', '.join(duplicates)}", 1)
    unknown = [name.strip() for name, c in zip(names, columns, strict=True) if c not in COLUMNS and c]
    header = CsvHeader(delimiter=delimiter, columns=columns, encoding=lines.encoding, unknown=unknown)

    def records() -> Iterator[tuple[int, dict[str, str]]]:
        reader = csv.reader(line_iter, delimiter=delimiter, strict=True)
        width = len(columns)
        start = 2
        try:
            for values in reader:
                line = start
                start = lines.line_no + 1
                if not values or (len(values) == 1 and not values[0].strip()):
                    continue  # blank lines, common at the end of spreadsheet exports
                if len(values) > width and any(v.strip() for v in values[width:]):
                    yield line, {STRUCTURE_ERROR: f"{len(values)} fields but the header has {width}"}
                    continue
                if len(values) < width:
                    values += [""] * (width - len(values))
                row = dict(zip(columns, values, strict=False))  # trailing empty fields are dropped
                yield line, row
        except csv.Error as exc:
            raise FileRefused(f"line {start} is not well-formed CSV ({exc})", line=start) from exc
        header.encoding = lines.encoding

    return header, records()
