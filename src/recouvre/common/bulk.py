"""Fast inserts of many new rows: PostgreSQL COPY, SQLite executemany, inside the caller's
transaction. The ORM's bulk_create costs tens of microseconds a row in model instances and value
preparation; a million-line import cannot afford that for the rows it creates in bulk.

Values must be ready for the database: Decimal, date, str, int, bool and None pass as they are
(Django registers the SQLite adapters); datetimes go through `db_datetime` once, not per row."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from django.db import connection


def db_datetime(value: datetime) -> Any:
    """An aware datetime as the backend stores it (SQLite: naive UTC text, as Django writes it)."""
    if connection.vendor == "postgresql":
        return value
    return connection.ops.adapt_datetimefield_value(value)


def db_json(value: Any) -> str:
    """A JSONField value for a raw insert (jsonb on PostgreSQL parses the text)."""
    return json.dumps(value, ensure_ascii=False)


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {connection.ops.quote_name(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {connection.ops.quote_name(table)} ({names}) VALUES ({placeholders})",
                list(rows),
            )


def insert_returning(
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    returning: Sequence[str],
    batch_size: int = 1000,
) -> list[tuple[Any, ...]]:
    """Inserts rows and returns the `returning` columns of each (in no particular order: return a key
    with the id). Multi-row INSERT … RETURNING works on PostgreSQL and on SQLite ≥ 3.35; batches keep
    under both databases' limits on bound parameters."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    back = ", ".join(quote(c) for c in returning)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    out: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            values = ", ".join([one] * len(batch))
            cursor.execute(
                f"INSERT INTO {quote(table)} ({names}) VALUES {values} RETURNING {back}",
                [value for row in batch for value in row],
            )
            out.extend(cursor.fetchall())
    return out


def model_columns(model: Any) -> list[str]:
    """The columns a raw insert of `model` writes: every concrete field but the auto primary key."""
    return [f.column for f in model._meta.concrete_fields if not f.primary_key]


def model_rows(model: Any, values: Iterable[dict[str, Any]]) -> Iterator[tuple[Any, ...]]:
    """Rows for `insert_rows` / `insert_returning` from dicts of attribute names (`debtor_id`, ...):
    every other column takes its field's default, computed once (auto_now and auto_now_add: now), so a
    million rows cost no model instance each. JSON goes as text, datetimes as the backend stores them."""
    from django.db.models import DateTimeField, JSONField
    from django.utils import timezone

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()

    def prepare(field: Any, value: Any) -> Any:
        if value is not None and isinstance(field, JSONField):
            return db_json(value)
        if value is not None and isinstance(field, DateTimeField):
            return db_datetime(value)
        return value

    defaults = []
    for field in fields:
        auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        defaults.append(now if auto else field.get_default())
    plan = [
        (field.attname, field, prepare(field, default))
        for field, default in zip(fields, defaults, strict=True)
    ]
    for row in values:
        yield tuple(prepare(field, row[name]) if name in row else default for name, field, default in plan)
