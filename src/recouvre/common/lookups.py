"""`field__any=[...]`: membership in a list as one array parameter on PostgreSQL (`= ANY(%s)`),
`IN (...)` elsewhere. Imports look up thousands of keys a chunk; with `__in` each key is a
placeholder that the driver parses on every query, a cost per line that `ANY` does not have."""

from __future__ import annotations

from typing import Any

from django.db.models import Field, ForeignObject, Lookup
from django.db.models.lookups import In


class AnyLookup(Lookup):  # type: ignore[type-arg]
    lookup_name = "any"
    prepare_rhs = False

    def get_db_prep_lookup(self, value: Any, connection: Any) -> tuple[str, list[Any]]:
        return "%s", [[self.lhs.output_field.get_db_prep_value(v, connection) for v in value]]

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        if connection.vendor != "postgresql":
            return In(self.lhs, list(self.rhs)).as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


def register() -> None:
    Field.register_lookup(AnyLookup)
    # Related fields keep their own lookup registry; ids are passed, never model instances.
    ForeignObject.register_lookup(AnyLookup)
