# The portfolio's read model (ledger/models/balance.py), the indexes that find what changed since it
# was rebuilt, and the one that finds a debtor by invoice number whatever its case (the search's
# `number__iexact` is UPPER(number) = UPPER(%s) on PostgreSQL). The indexes on ledger_invoice and
# ledger_debtor are plain SQL so that those models' Meta (owned elsewhere) need not change.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0004_debtor_agent"),
        ("tenancy", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="DebtorBalance",
            fields=[
                (
                    "debtor",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="balance",
                        serialize=False,
                        to="ledger.debtor",
                    ),
                ),
                ("as_of", models.DateField()),
                ("open_balance", models.DecimalField(decimal_places=2, max_digits=14)),
                ("overdue_balance", models.DecimalField(decimal_places=2, max_digits=14)),
                ("oldest_due", models.DateField(blank=True, null=True)),
                (
                    "organisation",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="tenancy.organisation",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["organisation", "overdue_balance"], name="balance_org_overdue"),
                    models.Index(fields=["organisation", "open_balance"], name="balance_org_open"),
                    models.Index(fields=["organisation", "oldest_due"], name="balance_org_oldest_due"),
                ],
            },
        ),
        migrations.CreateModel(
            name="DebtorBalanceState",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("as_of", models.DateField()),
                ("refreshed_at", models.DateTimeField()),
                ("debtors", models.PositiveIntegerField(default=0)),
                ("aged", models.JSONField(default=dict)),
                (
                    "organisation",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="tenancy.organisation",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("organisation",), name="balance_state_one_per_org")
                ],
            },
        ),
        migrations.RunSQL(
            "CREATE INDEX invoice_org_updated ON ledger_invoice (organisation_id, updated_at)",
            "DROP INDEX invoice_org_updated",
        ),
        migrations.RunSQL(
            "CREATE INDEX invoice_org_number_upper ON ledger_invoice (organisation_id, UPPER(number))",
            "DROP INDEX invoice_org_number_upper",
        ),
        migrations.RunSQL(
            "CREATE INDEX debtor_org_created ON ledger_debtor (organisation_id, created_at)",
            "DROP INDEX debtor_org_created",
        ),
    ]
