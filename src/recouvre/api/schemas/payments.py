from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field, WithJsonSchema, field_validator

from recouvre.api.schemas.common import Amount, PageMeta
from recouvre.kernel.parsing import parse_amount

# The column's max_digits=14: larger would fail in the database instead of being refused here.
_MAX_AMOUNT = Decimal("999999999999.99")


class PaymentIn(Schema):
    invoice: str | None = Field(None, description="Invoice number the payment settles; or give `debtor`")
    debtor: str | None = Field(
        None, description="Debtor ref: the payment is allocated oldest due invoice first"
    )
    amount: Annotated[
        Decimal,
        WithJsonSchema(
            {
                "type": "string",
                "examples": ["1234.50"],
                "description": 'Amount received ("1234.50"; "1234,50" and "1 234,50" accepted)',
            }
        ),
    ]
    date: dt.date = Field(description="Day the money was received (YYYY-MM-DD)")
    reference: Annotated[str, Field(max_length=140)] = ""

    @field_validator("amount", mode="before")
    @classmethod
    def _amount(cls, value: Any) -> Decimal:
        # Floats never carry an amount: a JSON number is read from its shortest text form, which is
        # what the client wrote, and then checked like a typed amount.
        if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
            raise ValueError('must be a string such as "1234.50"')
        parsed = parse_amount(str(value))
        if parsed <= 0:
            raise ValueError(f"must be greater than 0 (got {value})")
        if parsed > _MAX_AMOUNT:
            raise ValueError(f"must not exceed {_MAX_AMOUNT}")
        return parsed


class AllocationOut(Schema):
    invoice: str
    amount: Amount
    part: str = Field(
        "principal",
        description="`principal`, or `interest` when the organisation imputes payments on late-payment"
        " interest first (C. civ. 1343-1)",
    )


class PaymentOut(Schema):
    id: int
    debtor_ref: str
    amount: Amount
    currency: str
    date: dt.date
    reference: str
    source: str
    allocations: list[AllocationOut]
    unallocated: Amount
    created_at: dt.datetime


class PaymentCreatedOut(PaymentOut):
    invoice: str | None = Field(description="The invoice paid, when the payment named one")
    open_amount: Amount | None = Field(description="That invoice's open amount after the payment")


class PaymentPageOut(PageMeta):
    items: list[PaymentOut]
