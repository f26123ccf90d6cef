"""The first lines of a file read as the import would read them, before anything is written.

Pure: the checks that need the books (a new debtor's first line names it, an open amount above
the product's) are left to the dry run of the whole file."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import BinaryIO

from recouvre.imports.domain.csv_reader import FileRefused, read_csv
from recouvre.imports.domain.csv_rows import InvoiceLine, RowError, parse_line

PREVIEW_LINES = 20


@dataclass(frozen=True)
class PreviewRow:
    line: int
    invoice: InvoiceLine | None
    errors: tuple[RowError, ...] = ()


@dataclass(frozen=True)
class Preview:
    rows: tuple[PreviewRow, ...] = ()
    unknown: tuple[str, ...] = ()
    encoding: str = "utf-8"
    refused: str = ""
    refused_line: int | None = None

    @property
    def error_count(self) -> int:
        return sum(len(row.errors) for row in self.rows)


def preview_lines(stream: BinaryIO, mapping: Mapping[str, str], limit: int = PREVIEW_LINES) -> Preview:
    try:
        header, records = read_csv(stream, mapping)
        rows = []
        for line, record in itertools.islice(records, limit):
            parsed = parse_line(line, record)
            if isinstance(parsed, list):
                rows.append(PreviewRow(line=line, invoice=None, errors=tuple(parsed)))
            else:
                rows.append(PreviewRow(line=line, invoice=parsed))
    except FileRefused as exc:
        return Preview(refused=str(exc), refused_line=exc.line)
    return Preview(rows=tuple(rows), unknown=tuple(header.unknown), encoding=header.encoding)
