# The portfolio's search finds a debtor by any part of its name or account (`icontains`, which is
# UPPER(col) LIKE UPPER('%…%') on PostgreSQL): trigram indexes on those expressions replace a scan of
# every debtor (210 ms at 200,000 debtors, measured). PostgreSQL only: SQLite keeps scanning.

from django.db import migrations

INDEXES = (
    ("debtor_name_trgm", "name"),
    ("debtor_ref_trgm", "ref"),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX {name} ON ledger_debtor USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0005_debtor_balance"),
    ]

    operations = [migrations.RunPython(create, drop)]
