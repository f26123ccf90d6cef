from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Schema
from pydantic import Field
from typing_extensions import TypedDict

Amount = Annotated[
    str,
    Field(
        pattern=r"^-?\d+\.\d{2}$",
        examples=["1234.50"],
        description="A decimal amount as a string with exactly two decimals",
    ),
]

Limit = Annotated[int, Field(ge=1, le=500, description="Rows per page (1-500)")]
Offset = Annotated[int, Field(ge=0, description="Rows to skip")]

# The bucket names are not Python identifiers; a functional TypedDict keeps them as written in
# cli.md and still documents each key in the OpenAPI schema.
AgingBuckets = TypedDict(
    "AgingBuckets",
    {"not_due": Amount, "1-30": Amount, "31-60": Amount, "61-90": Amount, "91+": Amount},
)


class FieldErrorOut(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldErrorOut] | None = None


class AgedBalanceOut(Schema):
    date: dt.date
    buckets: AgingBuckets
    total: Amount


class PageMeta(Schema):
    count: int = Field(description="Rows matching the filters, all pages together")
    limit: int
    offset: int


ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
