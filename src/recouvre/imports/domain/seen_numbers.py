"""The invoice numbers one import has read so far, kept in a temporary table rather than in
memory (bounded whatever the file's size) or on the invoices themselves (stamping every unchanged
invoice would cost a write per line): it finds a number repeated in the file, and the invoices a
`--complete` file leaves out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection

from recouvre.common.bulk import insert_rows

TABLE = "recouvre_import_seen"


class SeenNumbers:
    def __init__(self) -> None:
        with connection.cursor() as cursor:
            # Inside the import's transaction: dropped with it on rollback, and explicitly at the end.
            cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
            cursor.execute(f"CREATE TEMPORARY TABLE {TABLE} (number varchar(64) PRIMARY KEY)")

    def already(self, numbers: Sequence[str]) -> set[str]:
        if not numbers:
            return set()
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"SELECT number FROM {TABLE} WHERE number = ANY(%s)", [list(numbers)])
            else:
                found: list[tuple[str]] = []
                for start in range(0, len(numbers), 900):
                    part = numbers[start : start + 900]
                    cursor.execute(
                        f"SELECT number FROM {TABLE} WHERE number IN ({', '.join(['%s'] * len(part))})", part
                    )
                    found.extend(cursor.fetchall())
                return {row[0] for row in found}
            return {row[0] for row in cursor.fetchall()}

    def add(self, numbers: Iterable[str]) -> None:
        insert_rows(TABLE, ("number",), ((number,) for number in numbers))

    def subquery(self) -> str:
        return f"SELECT number FROM {TABLE}"

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
