"""Benchmark of the daily cycle (docs/performance.md, "Daily cycle", issue 3).

    .venv/bin/python bench/cycle.py [--debtors 200000] [--invoices 1000000] [--backends sqlite,postgresql]
    .venv/bin/python bench/cycle.py --dispatch 10000 [--no-worker] [--json]

Planning (default): for each backend, in child processes so that each peak RSS is its own:
1. build: a fresh database, migrate, the organisation (organisation_create), then debtors, contacts,
   invoices and open disputes inserted straight into the tables (bench/_portfolio.py: ~70% of debtors
   with an email, 40% a mobile, all an address; invoices due over the last 120 days and the next 30,
   ~40% paid, ~8% partly paid, ~1% disputed); ANALYZE on PostgreSQL.
2. day D (many cases open, many actions planned), then day D+1 (steady state: the messages of D are
   not sent yet and hold their ladders, few changes): each in its own child, first the bound, then
   `cycle_plan(organisation=..., today=day)` inside the organisation's scope, timed with its parts
   (facts loading, the planning loop, the writes) as diagnostics.
The bound, in the same child: `overdue_by_debtor` (the grouped query of the overdue open items by
debtor) and the same query excluding invoices with an open dispute (NOT EXISTS), best of 3, warm.

Dispatch (--dispatch N): N debtors with an email and one invoice 3 days overdue, planned on D (one
reminder_1 email each); a real SMTP server (recouvre.testing.smtp.SmtpServer) in this process;
`dispatch_pass` timed in a child, then on a fresh copy the worker (`recouvre cycle --date D`, a
subprocess), then the bound: N messages of the same size sent with smtplib over one connection.
Every message must arrive exactly once (messages received, distinct Message-IDs).

A benchmark prints figures; it asserts nothing and is never run by the test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve()
REPO = SCRIPT.parent.parent
for _path in (REPO / "src", REPO / "bench"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from _portfolio import Database  # noqa: E402 - after the sys.path lines

DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/recouvre_benchcycle"
DEFAULT_DAY = date(2026, 3, 10)  # a Tuesday; D+1 is a Wednesday, neither a holiday
UNDISPUTED_BOUND = """
SELECT i.debtor_id, COUNT(*), MIN(i.due_date) FROM ledger_invoice i
WHERE i.organisation_id = %s AND i.status = 'open' AND i.document_type = 'invoice'
  AND i.open_amount > 0 AND i.due_date < %s
  AND NOT EXISTS (SELECT 1 FROM disputes_dispute d WHERE d.invoice_id = i.id AND d.status = 'open')
GROUP BY i.debtor_id
"""


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recouvre.config.settings")
    import django

    django.setup()


def _organisation(args: argparse.Namespace) -> Any:
    from recouvre.tenancy.models import Organisation

    return Organisation.objects.get(pk=args.organisation)


# ------------------------------------------------------------------------------------------------
# Child processes: one step each, one JSON document on the last line of stdout
# ------------------------------------------------------------------------------------------------


def child_build(args: argparse.Namespace) -> dict[str, Any]:
    _django()
    from _portfolio import load_portfolio
    from django.core.management import call_command
    from django.db import connection, transaction
    from django_scopes import scope

    from recouvre.tenancy.domain.services import organisation_create

    call_command("migrate", interactive=False, verbosity=0, stdout=io.StringIO())
    organisation = organisation_create(
        name="Banc d'essai Relances SAS", siren="732829320", iban="FR7630006000011234567890189",
        bic="AGRIFRPP", email="relances@banc-essai.fr",
    )  # fmt: skip
    started = time.perf_counter()
    with transaction.atomic():
        counts = load_portfolio(
            organisation_id=organisation.id, debtors=args.debtors, invoices=args.invoices,
            today=date.fromisoformat(args.day), seed=args.seed, dispatch=args.dispatch > 0,
        )  # fmt: skip
    loaded = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        version = connection.cursor().connection.info.parameter_status("server_version")
    else:
        version = connection.Database.sqlite_version
    planned = None
    if args.dispatch:  # the actions to send: the day's plan, as the worker would have made it at 08:00
        from recouvre.dunning.domain.cycle import cycle_plan

        with scope(organisation=organisation):
            planned = cycle_plan(organisation=organisation, today=date.fromisoformat(args.day)).as_dict()
    return {
        "organisation": organisation.id,
        "counts": counts,
        "seconds": round(loaded, 1),
        "total_seconds": round(time.perf_counter() - started, 1),
        "server_version": version,
        "planned": planned,
    }


def _best_of(runs: int, query: Callable[[], int]) -> dict[str, Any]:
    times, rows = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        rows = query()
        times.append(time.perf_counter() - started)
    return {"seconds": round(min(times), 3), "all": [round(t, 3) for t in times], "rows": rows}


def child_plan(args: argparse.Namespace) -> dict[str, Any]:
    _django()
    from _diagnostics import instrument, profiled, sql_stats, top_sql
    from django.db import connection
    from django.db.models import Count
    from django_scopes import scope

    from recouvre.dunning.domain.cycle import cycle_plan
    from recouvre.dunning.domain.facts import overdue_by_debtor
    from recouvre.dunning.models import Action

    organisation = _organisation(args)
    day = date.fromisoformat(args.day)

    def undisputed() -> int:
        with connection.cursor() as cursor:
            cursor.execute(UNDISPUTED_BOUND, [organisation.id, day])
            return len({row[0]: (row[1], row[2]) for row in cursor.fetchall()})

    bound = _best_of(3, lambda: len(overdue_by_debtor(organisation.id, day)))
    bound_undisputed = _best_of(3, undisputed)
    parts = instrument({})
    shapes: dict[str, list[float]] = {}
    watching = sql_stats(connection, shapes) if args.sql_stats else contextlib.nullcontext()
    with scope(organisation=organisation), watching:
        actions_before = Action.objects.count()
        base_mb, load = _peak_mb(), os.getloadavg()[0]
        cpu0, started = _cpu_seconds(), time.perf_counter()
        figures, profile_top = profiled(args, lambda: cycle_plan(organisation=organisation, today=day))
        seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu0
        peak_mb = _peak_mb()
        actions = Action.objects.count() - actions_before
        channels = dict(
            Action.objects.filter(scheduled_for=day).values_list("channel").annotate(n=Count("id")).order_by()
        )
    return {
        "day": args.day,
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 3),
        "load_before": round(load, 2),
        "bound": bound,
        "bound_undisputed": bound_undisputed,
        "peak_mb": round(peak_mb, 1),
        "base_mb": round(base_mb, 1),
        "actions": actions,
        "channels": channels,
        "figures": figures.as_dict(),
        "parts": {k: round(v, 3) for k, v in parts().items()},
        "sql": top_sql(shapes),
        "profile_top": profile_top,
    }


def child_dispatch(args: argparse.Namespace) -> dict[str, Any]:
    _django()  # RECOUVRE_EMAIL_URL is in the environment, set by the parent before this process started
    from _diagnostics import profiled
    from django.db.models import Count
    from django_scopes import scope

    from recouvre.dunning.domain.dispatch import dispatch_pass
    from recouvre.dunning.domain.runner import moment_on
    from recouvre.dunning.models import Action

    organisation = _organisation(args)
    day = date.fromisoformat(args.day)
    with scope(organisation=organisation):
        now, load = moment_on(day, organisation), os.getloadavg()[0]
        cpu0, started = _cpu_seconds(), time.perf_counter()
        figures, profile_top = profiled(
            args, lambda: dispatch_pass(organisation=organisation, today=day, now=now)
        )
        seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu0
        statuses = dict(Action.objects.values_list("status").annotate(n=Count("id")).order_by())
    return {
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 3),
        "load_before": round(load, 2),
        "figures": figures.__dict__,
        "statuses": statuses,
        "peak_mb": round(_peak_mb(), 1),
        "profile_top": profile_top,
    }


def child_smtp_bound(args: argparse.Namespace) -> dict[str, Any]:
    """The transport's physical cost: the same number of messages, of the size of one the dispatcher
    sent, over one smtplib connection to the same server."""
    import re
    import smtplib

    raw = Path(args.message).read_bytes()
    host, port = args.smtp.rsplit(":", 1)
    started = time.perf_counter()
    with smtplib.SMTP(host, int(port)) as smtp:
        for i in range(args.dispatch):
            content = re.sub(rb"(?mi)^Message-ID: .*$", f"Message-ID: <bound-{i}@b>".encode(), raw, count=1)
            smtp.sendmail("relances@banc-essai.fr", [f"bound-{i}@example.fr"], content)
    return {"seconds": round(time.perf_counter() - started, 3), "messages": args.dispatch}


CHILDREN = {
    "build": child_build,
    "plan": child_plan,
    "dispatch": child_dispatch,
    "smtp_bound": child_smtp_bound,
}


# ------------------------------------------------------------------------------------------------
# The parent: databases, children, the SMTP server, the tables
# ------------------------------------------------------------------------------------------------


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run_planning(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    db = Database(backend, "plan", args, SCRIPT)
    common = ["--seed", str(args.seed), "--debtors", str(args.debtors), "--invoices", str(args.invoices)]
    _say(f"[{backend}] building {args.debtors:,} debtors, {args.invoices:,} invoices")
    build = db.child("build", *common, "--day", args.today.isoformat())
    _say(f"[{backend}] built in {build['total_seconds']} s: {build['counts']}")
    result: dict[str, Any] = {"backend": backend, "server_version": build["server_version"], "build": build}
    for label, day in (("D", args.today), ("D+1", args.today + timedelta(days=1))):
        argv = ["--organisation", str(build["organisation"]), "--day", day.isoformat()]
        if args.sql_stats:
            argv.append("--sql-stats")
        if args.profile:
            argv += ["--profile-out", str(args.workdir / f"{backend}-{label.replace('+', 'p')}.prof")]
        code = _code_state()  # per run: others may commit or edit the engine between the runs
        run = result[label] = db.child("plan", *argv) | {"code": code}
        _say(
            f"[{backend}] {label} {day}: plan {run['seconds']:.2f} s (CPU {run['cpu_seconds']:.2f} s, load"
            f" {run['load_before']}), bound {run['bound']['seconds']:.3f} s, actions {run['channels']},"
            f" peak {run['peak_mb']:.0f} MB"
        )
        for part, seconds in run["parts"].items():
            _say(f"    {seconds:8.3f} s  {part}")
        for seconds, count, sql in run["sql"]:
            _say(f"    {seconds:8.3f} s {count:6d} x {sql}")
        for line in run["profile_top"] or []:
            _say(f"    | {line}")
    db.drop()
    return result


def run_dispatch(backend: str, args: argparse.Namespace, server: Any) -> dict[str, Any]:
    result: dict[str, Any] = {"backend": backend}
    labels = ("dispatch",) if args.no_worker else ("dispatch", "worker")
    for label in labels:
        db = Database(backend, label, args, SCRIPT)
        db.env["RECOUVRE_EMAIL_URL"] = server.url
        common = ["--day", args.today.isoformat(), "--dispatch", str(args.dispatch)]
        size = ["--debtors", str(args.dispatch), "--invoices", str(args.dispatch), "--seed", str(args.seed)]
        build = db.child("build", *common, *size)
        result["server_version"] = build["server_version"]
        _say(f"[{backend}] {label}: portfolio built, planned {build['planned']}")
        server.reset()
        code = _code_state()
        if label == "dispatch":
            profile = (
                ["--profile-out", str(args.workdir / f"{backend}-dispatch.prof")] if args.profile else []
            )
            run = db.child("dispatch", *common, "--organisation", str(build["organisation"]), *profile)
            for line in run["profile_top"] or []:
                _say(f"    | {line}")
        else:
            cli = Path(sys.executable).with_name("recouvre")
            command = [str(cli)] if cli.exists() else [sys.executable, "-m", "recouvre.cli.main"]
            started = time.perf_counter()
            command += ["cycle", "--date", args.today.isoformat(), "--json"]
            done = subprocess.run(command, env=db.env, capture_output=True, text=True, check=False)
            run = {"seconds": round(time.perf_counter() - started, 3), "exit": done.returncode}
            run["figures"] = json.loads(done.stdout) if done.returncode == 0 else done.stderr[-2000:]
        ids = [m.message["Message-ID"] for m in server.messages]
        run |= {
            "received": len(ids),
            "distinct_ids": len(set(ids)),
            "planned": build["planned"],
            "code": code,
        }
        if label == "dispatch" and server.messages:
            (args.workdir / "message.eml").write_bytes(server.messages[0].raw)
            run["message_bytes"] = len(server.messages[0].raw)
        result[label] = run
        _say(
            f"[{backend}] {label}: {run['seconds']:.1f} s, received {run['received']:,}"
            f" ({run['distinct_ids']:,} distinct Message-IDs)"
        )
        db.drop()
    server.reset()
    message = ["--message", str(args.workdir / "message.eml"), "--smtp", f"{server.host}:{server.port}"]
    bound = Database("sqlite", "smtp-bound", args, SCRIPT).child(
        "smtp_bound", "--dispatch", str(args.dispatch), *message
    )
    bound["received"] = len(server.messages)
    result["bound"] = bound
    _say(f"[{backend}] bound (smtplib, one connection): {bound['seconds']:.1f} s")
    return result


def _code_state() -> dict[str, Any]:
    """The commit measured, and the engine's files that differ from it (others may be editing)."""

    def git(*argv: str) -> str:
        done = subprocess.run(["git", "-C", str(REPO), *argv], capture_output=True, text=True, check=False)
        return done.stdout.strip()

    paths = ("src/recouvre/dunning", "src/recouvre/common", "src/recouvre/ledger", "src/recouvre/messaging")
    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "changed_since_commit": git("status", "--porcelain", "--", *paths).splitlines(),
    }


def _table(head: tuple[str, ...], lines: list[tuple[str, ...]]) -> str:
    """A markdown table, ready for docs/performance.md."""
    rows = [head, *lines]
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    out = ["| " + " | ".join(x.rjust(w) for x, w in zip(row, widths, strict=True)) + " |" for row in rows]
    out.insert(1, "|" + "|".join("-" * (w + 1) + ":" for w in widths) + "|")
    return "\n".join(out)


def _planning_table(results: list[dict[str, Any]]) -> str:
    head = ("backend", "day", "plan s", "plan CPU s", "bound s", "bound excl. disputes s", "plan / bound")
    head += ("peak MB", "debtors overdue", "cases opened", "actions planned")
    lines = []
    for r in results:
        for label in ("D", "D+1"):
            run, bound = r[label], r[label]["bound"]
            channels = ", ".join(f"{n:,} {channel}" for channel, n in sorted(run["channels"].items()))
            row = [r["backend"], label, f"{run['seconds']:.2f}", f"{run['cpu_seconds']:.2f}"]
            row += [f"{bound['seconds']:.3f}", f"{run['bound_undisputed']['seconds']:.3f}"]
            row += [f"{run['seconds'] / bound['seconds']:.1f}", f"{run['peak_mb']:.0f}", f"{bound['rows']:,}"]
            row += [f"{run['figures']['cases_opened']:,}", f"{run['actions']:,} ({channels})"]
            lines.append(tuple(row))
    return _table(head, lines)


def _dispatch_table(results: list[dict[str, Any]]) -> str:
    head = ("backend", "run", "messages received", "distinct Message-IDs", "seconds", "msg/s")
    head += ("bound msg/s", "run / bound")
    lines = []
    for r in results:
        bound = r["bound"]
        for label, name in (("dispatch", "dispatch_pass"), ("worker", "worker (`recouvre cycle`)")):
            if label in r:
                run = r[label]
                row = [r["backend"], name, f"{run['received']:,}", f"{run['distinct_ids']:,}"]
                row += [f"{run['seconds']:.1f}", f"{run['received'] / run['seconds']:.0f}"]
                row += [
                    f"{bound['received'] / bound['seconds']:.0f}",
                    f"{run['seconds'] / bound['seconds']:.1f}",
                ]
                lines.append(tuple(row))
    return _table(head, lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--debtors", type=int, default=200_000)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--dispatch", type=int, default=0, metavar="N", help="the dispatch mode, N emails")
    parser.add_argument("--no-worker", action="store_true", help="dispatch mode: skip `recouvre cycle`")
    parser.add_argument("--today", type=date.fromisoformat, default=DEFAULT_DAY, help="D, YYYY-MM-DD")
    parser.add_argument("--seed", type=int, default=20260310)
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="its database name must contain 'bench'")
    parser.add_argument("--workdir", type=Path, help="SQLite files and profiles (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--profile", action="store_true", help="cProfile planning or dispatch (diagnostics)")
    parser.add_argument("--sql-stats", action="store_true", help="time per SQL statement shape (diagnostics)")
    parser.add_argument("--json", action="store_true", help="print one JSON line with every figure")
    for name in ("--child", "--day", "--organisation", "--message", "--smtp", "--profile-out"):
        parser.add_argument(name, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        args.organisation = int(args.organisation) if args.organisation else None
        print(json.dumps(CHILDREN[args.child](args), ensure_ascii=False, default=str))
        return 0
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if any(b not in ("sqlite", "postgresql") for b in backends):
        parser.error(f"unknown backend in {args.backends!r}")
    temporary = args.workdir is None and not (args.keep or args.profile)
    args.workdir = (args.workdir or Path(tempfile.mkdtemp(prefix="recouvre-benchcycle-"))).resolve()
    code = _code_state()
    machine = {
        "cpus": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "load_average": os.getloadavg(),
    }
    if args.dispatch:
        from recouvre.testing.smtp import SmtpServer

        with SmtpServer() as server:
            results = [run_dispatch(backend, args, server) for backend in backends]
        print(f"\nDispatch of {args.dispatch:,} emails to a local SMTP server (aiosmtpd, this process)")
        print(_dispatch_table(results))
        print("bound = the same number of messages of the same size over one smtplib connection")
    else:
        results = [run_planning(backend, args) for backend in backends]
        print(f"\nDaily planning: {args.debtors:,} debtors, {args.invoices:,} invoices, D = {args.today}")
        if args.profile:
            print("(profiled with cProfile: the times below include the profiler's overhead)")
        print(_planning_table(results))
        print("bound = overdue_by_debtor (the grouped SQL query), best of 3 in the same process, warm")
    print(f"code: {code}; machine: {machine}" + ("" if temporary else f"; workdir: {args.workdir}"))
    if temporary:
        shutil.rmtree(args.workdir, ignore_errors=True)
    if args.json:
        document = {
            "bench": "cycle",
            "code": code,
            "machine": machine,
            "args": vars(args),
            "results": results,
        }
        print(json.dumps(document, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
