"""dunning.md, Guarantees: a message is never sent twice, even when a worker dies in the middle of
sending. A real `recouvre cycle` process sends to a real (slow) SMTP server and is killed with
SIGKILL mid-batch; a second run finishes the day. Every message arrives at most once; the one that
was in the hands of the transport when the process died is `unknown`, not resent."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings

from recouvre.dunning.tests.support import HEADER, MONDAY, line

pytestmark = [pytest.mark.integration, pytest.mark.slow]
DEBTORS = 30


@pytest.fixture
def database_url(tmp_path: Path):
    """A database of its own for the subprocesses: a SQLite file, or a fresh PostgreSQL database when
    the suite runs on PostgreSQL."""
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        yield ""
        return
    import psycopg

    db = settings.DATABASES["default"]
    name = f"recouvre_kill_{uuid.uuid4().hex[:8]}"
    params = {
        "host": db.get("HOST") or "127.0.0.1",
        "port": db.get("PORT") or 5432,
        "user": db.get("USER") or "postgres",
    }
    if db.get("PASSWORD"):
        params["password"] = db["PASSWORD"]
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    yield f"postgres://{params['user']}{password}@{params['host']}:{params['port']}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _recouvre(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "recouvre.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def test_a_worker_killed_mid_batch_never_sends_a_message_twice(
    tmp_path: Path, smtp_server, database_url: str
) -> None:
    env = {
        **os.environ,
        "RECOUVRE_DATA_DIR": str(tmp_path / "data"),
        "RECOUVRE_EMAIL_URL": smtp_server.url,
        # The second run takes over at once what the dead one left (in production: 10 minutes).
        "RECOUVRE_DISPATCH_LEASE_SECONDS": "0",
    }
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    csv = tmp_path / "invoices.csv"
    due = MONDAY - timedelta(days=3)
    csv.write_text(
        HEADER + "".join(line(f"F-{i}", f"C{i}", due, email=f"c{i}@client.example") for i in range(DEBTORS)),
        encoding="utf-8",
    )
    _recouvre(env, "migrate")
    _recouvre(env, "org", "create", "--name", "Acme")
    _recouvre(env, "import", "invoices", str(csv))

    smtp_server.delay_data_reply(0.15)
    worker = subprocess.Popen(
        [sys.executable, "-m", "recouvre.cli.main", "cycle", "--date", MONDAY.isoformat()],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "worker.log").open("w"),
    )
    deadline = time.monotonic() + 60
    while len(smtp_server.messages) < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    received_before = len(smtp_server.messages)
    log = (tmp_path / "worker.log").read_text()
    assert 5 <= received_before < DEBTORS, f"the kill must land in the middle of the batch: {log}"

    smtp_server.delay_data_reply(0)
    finished = json.loads(_recouvre(env, "cycle", "--date", MONDAY.isoformat(), "--json").stdout)
    listed = json.loads(_recouvre(env, "actions", "--json").stdout)

    ids = Counter(m.message["Message-ID"] for m in smtp_server.messages)
    assert max(ids.values()) == 1, f"sent twice: {[k for k, v in ids.items() if v > 1]}"
    recipients = Counter(m.rcpt_tos[0] for m in smtp_server.messages)
    assert max(recipients.values()) == 1
    statuses = Counter(a["status"] for a in listed)
    assert set(statuses) <= {"dispatched", "unknown"}, statuses
    assert statuses["unknown"] <= 1  # at most the one in the transport's hands when the process died
    assert finished["unknown"] == statuses["unknown"]
    assert len(listed) == DEBTORS
    dispatched = {a["recipient"] for a in listed if a["status"] == "dispatched"}
    assert dispatched <= set(recipients)
    # Everything that was not in doubt went out, once.
    assert len(recipients) >= DEBTORS - statuses["unknown"]
