"""The physical bound of each page, measured in a child process of bench/web.py (django.setup() done):
the page rendered in-process by Django's test client (no HTTP, no gunicorn) while its SQL statements
are captured, then those statements replayed raw on one connection, best of 3. Writes (the audit
entry of a debtor page view, savepoints) are left out of the replay: replaying them would duplicate rows."""

from __future__ import annotations

import statistics
import time
from typing import Any

READS = ("SELECT", "WITH")


def _replay(sqls: list[str]) -> float:
    from django.db import connection

    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in sqls:
                cursor.execute(sql)
                cursor.fetchall()
        best = min(best, time.perf_counter() - started)
    return best


def page_bounds(scenarios: dict[str, list[str]], email: str, samples: int = 5) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from recouvre.tenancy.models import User

    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(User.objects.get(email=email))
    results: dict[str, Any] = {}
    for name, paths in scenarios.items():
        in_process, sql_ms, statements = [], [], []
        for path in paths[:samples]:
            client.get(path)  # warm: the read model and the caches, as under load
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(path)
                in_process.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{path}: status {response.status_code}")
            reads = [
                q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(READS)
            ]
            sql_ms.append(_replay(reads) * 1000)
            statements.append(len(captured.captured_queries))
        results[name] = {
            "in_process_ms": round(statistics.median(in_process), 1),
            "sql_ms": round(statistics.median(sql_ms), 1),
            "statements": max(statements),
        }
    return results
