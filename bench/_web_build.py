"""The portfolio of bench/web.py: bench/_portfolio.py's 200,000 debtors / 1,000,000 invoices, a
manager who signs in, agents assigned to some debtors, and the first day's dunning plan (so that
cases, steps and the Today page have realistic content; half of those first reminders marked sent).
Runs in a child process (django.setup() done)."""

from __future__ import annotations

import io
import time
from datetime import date
from typing import Any

PASSWORD = "bench-web-2026-secret"
EMAIL = "manager@bench-web.example"


def build(*, debtors: int, invoices: int, day: date, seed: int, plan: bool) -> dict[str, Any]:
    from _portfolio import load_portfolio
    from django.core.management import call_command
    from django.db import connection, transaction
    from django_scopes import scope

    from recouvre.tenancy.domain.services import organisation_create, user_create

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0, stdout=io.StringIO())
    organisation = organisation_create(
        name="Banc d'essai Relances SAS", siren="732829320", iban="FR7630006000011234567890189",
        bic="AGRIFRPP", email="relances@banc-essai.fr",
    )  # fmt: skip
    user, _ = user_create(email=EMAIL, role="manager", organisation=organisation, password=PASSWORD)
    agents = [
        user_create(
            email=f"agent{n}@bench-web.example", role="agent", organisation=organisation, password=PASSWORD
        )[0]
        for n in range(1, 6)
    ]
    with transaction.atomic():
        counts = load_portfolio(
            organisation_id=organisation.id, debtors=debtors, invoices=invoices, today=day, seed=seed
        )
    loaded = time.perf_counter() - started
    # One debtor in four has an agent, so that the agent filter selects a realistic slice.
    with connection.cursor() as cursor:
        for n, agent in enumerate(agents):
            cursor.execute(
                "UPDATE ledger_debtor SET agent_id = %s WHERE organisation_id = %s AND id %% 20 = %s",
                [agent.pk, organisation.id, n],
            )
    planned = None
    if plan:
        from recouvre.dunning.domain.cycle import cycle_plan

        with scope(organisation=organisation):
            planned = cycle_plan(organisation=organisation, today=day).as_dict()
        # Half of the day's messages went out, so that cases have a current step (the step filter).
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE dunning_action SET status = 'dispatched', dispatched_at = now() WHERE id %% %s = 0",
                [2],
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return {
        "organisation": organisation.id,
        "user": user.email,
        "counts": counts,
        "load_seconds": round(loaded, 1),
        "total_seconds": round(time.perf_counter() - started, 1),
        "planned": planned,
        "day": day.isoformat(),
    }
