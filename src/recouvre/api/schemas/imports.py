from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from recouvre.api.schemas.common import PageMeta


class ImportErrorOut(Schema):
    line: int | None
    column: str
    message: str


class ImportSummaryOut(Schema):
    id: int
    file_name: str
    status: str = Field(description="running, done, refused, dry_run or failed")
    complete: bool
    lines: int
    created: int
    updated: int
    unchanged: int
    settled: int
    error_count: int
    created_by: str | None
    started_at: dt.datetime
    finished_at: dt.datetime | None


class ImportOut(ImportSummaryOut):
    warnings: list[str]
    errors: list[ImportErrorOut]


class ImportPageOut(PageMeta):
    items: list[ImportSummaryOut]


class ImportQueuedOut(Schema):
    id: int
    status: str
    url: str = Field(description="Where to read the report once the worker has run the import")


class ImportReportOut(Schema):
    """The synchronous answer (`wait=true`): the import report of `recouvre import invoices --json`."""

    id: int
    status: str
    dry_run: bool
    lines: int
    created: int
    updated: int
    unchanged: int
    settled: list[str]
    warnings: list[str]
    errors: list[ImportErrorOut]
    detail: str = Field(description="One sentence for a person: what happened to the file")
