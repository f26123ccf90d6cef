"""Benchmark of the back office pages (docs/performance.md, "Back office", issue 4).

    .venv/bin/python bench/web.py                # build 200,000 debtors / 1,000,000 invoices, measure
    .venv/bin/python bench/web.py --reuse        # measure again on the database built before
    .venv/bin/python bench/web.py --reuse --seconds 30 --connections 4 --only portfolio,search

1. build (unless --reuse): a fresh PostgreSQL database named by --pg-url (its name must contain
   'bench'), migrated, filled by bench/_portfolio.py (the generator of bench/cycle.py) with a manager
   and five agents, then the first day's dunning plan (cycle_plan) so that cases and the Today page
   have content (bench/_web_build.py); VACUUM ANALYZE. ~4 minutes on 2 cores.
2. migrate (a reused database follows the code), then, in a child, the portfolio's read model brought
   to today (timed: the once-a-day rebuild) and VACUUM ANALYZE of it.
3. gunicorn started as `recouvre serve` does (2 workers x 4 threads, no background worker), a session
   through the login form, and for each scenario wrk (another process, --connections connections,
   --seconds seconds) requesting random URLs of the scenario with the session cookie.
4. beside each figure, in the same run: the bound (bench/_web_bound.py: the page's SQL replayed raw,
   and the page rendered in-process without HTTP) and the floor of the stack (the login page, a
   trivial view, under the same load).

Targets (issue 4): portfolio pages and the debtor page < 300 ms server time at p95, Today < 500 ms.
A benchmark prints figures; it asserts nothing and is never run by the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

SCRIPT = Path(__file__).resolve()
REPO = SCRIPT.parent.parent
for _path in (REPO / "src", REPO / "bench"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from _portfolio import Database  # noqa: E402 - after the sys.path lines

DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/recouvre_benchweb"
TARGETS_MS = {"today": 500}
DEFAULT_TARGET_MS = 300


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recouvre.config.settings")
    import django

    django.setup()


# ------------------------------------------------------------------------------------------------
# Child processes: one JSON document on the last line of stdout
# ------------------------------------------------------------------------------------------------


def child_build(args: argparse.Namespace) -> dict[str, Any]:
    _django()
    from _web_build import build

    day = date.fromisoformat(args.day)
    return build(debtors=args.debtors, invoices=args.invoices, day=day, seed=args.seed, plan=True)


def child_prepare(args: argparse.Namespace) -> dict[str, Any]:
    """The read model brought to today, and the URLs of each scenario drawn from the data."""
    _django()
    import time

    from _web_build import EMAIL
    from django.db import connection
    from django_scopes import scope

    from recouvre.dunning.domain.profiles import payer_profiles_store
    from recouvre.ledger.domain.balances import debtor_balances_current
    from recouvre.ledger.models import Debtor, Invoice
    from recouvre.ledger.models.balance import DebtorBalanceState
    from recouvre.tenancy.models import Membership

    organisation = Membership.objects.select_related("organisation").get(user__email=EMAIL).organisation
    today = datetime.now(ZoneInfo("Europe/Paris")).date()
    rng = random.Random(args.seed)
    with scope(organisation=organisation):
        # Timed from nothing, as the worker's clock does it each morning after planning; then the
        # payer profiles it writes next (the risk filter reads them).
        DebtorBalanceState.objects.filter(organisation=organisation).delete()
        started = time.perf_counter()
        snapshot = debtor_balances_current(organisation=organisation, today=today)
        rebuild = time.perf_counter() - started
        started = time.perf_counter()
        payer_profiles_store(organisation=organisation, today=today)
        profiles = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE ledger_debtorbalance")
        ids = list(Debtor.objects.order_by().values_list("id", flat=True))
        numbers = list(
            Invoice.objects.filter(id__in=rng.sample(range(1, args.invoices + 1), 200)).values_list(
                "number", flat=True
            )
        )
        surnames = ["martin", "dubois", "lefèvre", "garnier", "mairie de brest", "boulangerie faure"]
    scenarios = {
        "portfolio": ["/debtors/"],
        "filter": [
            "/debtors/?segment=PME",
            "/debtors/?bucket=31-60",
            "/debtors/?has=dispute",
            "/debtors/?type=PUBLIC",
            "/debtors/?step=reminder_1",
            "/debtors/?risk=standard",
        ],
        "search_name": [f"/debtors/?q={name.replace(' ', '+')}" for name in surnames],
        "search_invoice": [f"/debtors/?q={number}" for number in numbers],
        "debtor": [f"/debtors/{pk}/" for pk in rng.sample(ids, 500)],
        "today": ["/"],
        "floor": ["/login/"],
    }
    return {
        "organisation": organisation.id,
        "today": today.isoformat(),
        "debtors": snapshot.debtors,
        "rebuild_seconds": round(rebuild, 2),
        "profiles_seconds": round(profiles, 2),
        "scenarios": scenarios,
    }


def child_bound(args: argparse.Namespace) -> dict[str, Any]:
    _django()
    from _web_bound import page_bounds
    from _web_build import EMAIL

    scenarios = json.loads(Path(args.scenarios).read_text())
    scenarios.pop("floor", None)
    return page_bounds(scenarios, EMAIL)


CHILDREN = {"build": child_build, "prepare": child_prepare, "bound": child_bound}


# ------------------------------------------------------------------------------------------------
# The parent
# ------------------------------------------------------------------------------------------------


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _child(env: dict[str, str], step: str, *argv: str) -> dict[str, Any]:
    command = [sys.executable, str(SCRIPT), "--child", step, *argv]
    done = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        sys.stdout.write(done.stdout)
        raise SystemExit(f"{step} step failed (exit status {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _environment(args: argparse.Namespace) -> dict[str, str]:
    """The environment of every child and of gunicorn: the bench database, quiet logs."""
    parts = urlsplit(args.pg_url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"refusing to use database {name!r}: its name must contain 'bench'")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "RECOUVRE_DATA_DIR")}
    data_dir = args.workdir / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    env |= {
        "DJANGO_SETTINGS_MODULE": "recouvre.config.settings", "RECOUVRE_LOG_LEVEL": "WARNING",
        "RECOUVRE_DATA_DIR": str(data_dir), "DATABASE_URL": urlunsplit(parts._replace(path=f"/{name}")),
    }  # fmt: skip
    return env


def _code_state() -> dict[str, Any]:
    def git(*argv: str) -> str:
        done = subprocess.run(["git", "-C", str(REPO), *argv], capture_output=True, text=True, check=False)
        return done.stdout.strip()

    paths = ("src/recouvre/backoffice", "src/recouvre/ledger", "src/recouvre/dunning")
    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "changed_since_commit": len(git("status", "--porcelain", "--", *paths).splitlines()),
    }


def _table(head: tuple[str, ...], lines: list[tuple[str, ...]]) -> str:
    rows = [head, *lines]
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    out = ["| " + " | ".join(x.rjust(w) for x, w in zip(row, widths, strict=True)) + " |" for row in rows]
    out.insert(1, "|" + "|".join("-" * (w + 1) + ":" for w in widths) + "|")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="its database name must contain 'bench'")
    parser.add_argument(
        "--reuse", action="store_true", help="measure on the database built by a previous run"
    )
    parser.add_argument("--debtors", type=int, default=200_000)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20260310)
    parser.add_argument("--seconds", type=int, default=20, help="wrk duration per scenario")
    parser.add_argument("--connections", type=int, default=2, help="wrk connections (concurrent users)")
    parser.add_argument("--only", default="", help="comma-separated scenarios (default: all)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/recouvre-benchweb"))
    parser.add_argument("--json", action="store_true", help="print one JSON line with every figure")
    for name in ("--child", "--day", "--scenarios"):
        parser.add_argument(name, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.workdir = args.workdir.resolve()
    if args.child:
        print(json.dumps(CHILDREN[args.child](args), ensure_ascii=False, default=str))
        return 0

    from _web_load import Server, wrk

    args.workdir.mkdir(parents=True, exist_ok=True)
    env = _environment(args)
    if not args.reuse:
        args.keep = True
        Database("postgresql", "plan", args, SCRIPT)  # drops and creates the database (name from --pg-url)
        today = datetime.now(ZoneInfo("Europe/Paris")).date().isoformat()
        _say(f"building {args.debtors:,} debtors, {args.invoices:,} invoices (a few minutes)")
        build = _child(env, "build", "--debtors", str(args.debtors), "--invoices", str(args.invoices),
                       "--seed", str(args.seed), "--day", today)  # fmt: skip
        _say(f"built in {build['total_seconds']} s: {build['counts']}")
    cli = Path(sys.executable).with_name("recouvre")
    subprocess.run([str(cli), "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
    prepared = _child(env, "prepare", "--seed", str(args.seed), "--invoices", str(args.invoices))
    _say(
        f"read model rebuilt for {prepared['today']} in {prepared['rebuild_seconds']} s"
        f" ({prepared['debtors']:,} debtors)"
    )
    scenarios: dict[str, list[str]] = prepared["scenarios"]
    if args.only:
        wanted = {s.strip() for s in args.only.split(",")} | {"floor"}
        scenarios = {k: v for k, v in scenarios.items() if k in wanted}
    scenario_file = args.workdir / "scenarios.json"
    scenario_file.write_text(json.dumps(scenarios))
    bounds = _child(env, "bound", "--scenarios", str(scenario_file))

    from _web_build import EMAIL, PASSWORD

    code = _code_state()
    machine = {"cpus": os.cpu_count(), "python": platform.python_version(), "load_before": os.getloadavg()}
    server = Server(env, args.workdir)
    results: dict[str, Any] = {}
    try:
        cookie = server.login(EMAIL, PASSWORD)
        for name, paths in scenarios.items():
            wrk(server, cookie, paths, seconds=2, connections=args.connections)  # warm-up
            run = results[name] = wrk(
                server, cookie, paths, seconds=args.seconds, connections=args.connections
            )
            run["load_after"] = round(os.getloadavg()[0], 2)
            _say(f"{name:15s} server p50 {run['server_p50_ms']:7.1f} ms  p95 {run['server_p95_ms']:7.1f} ms"
                 f"  ({run['requests']} requests, {run['rps']}/s, statuses {run['statuses']})")  # fmt: skip
            if len(run["server_p95_ms_by_url"]) > 1:
                _say(
                    "    p95 by URL: "
                    + ", ".join(f"{u} {ms} ms" for u, ms in run["server_p95_ms_by_url"].items())
                )
    finally:
        server.stop()

    head = ("page", "server p50 ms", "server p95 ms", "target ms", "client p95 ms", "req/s")
    head += ("bound: SQL ms", "bound: in-process ms", "statements", "load")
    lines = []
    for name, run in results.items():
        bound = bounds.get(name, {})
        target = "" if name == "floor" else str(TARGETS_MS.get(name, DEFAULT_TARGET_MS))
        lines.append((
            name, f"{run['server_p50_ms']:.1f}", f"{run['server_p95_ms']:.1f}", target,
            f"{run['client_p95_ms']:.1f}", f"{run['rps']:.0f}", str(bound.get("sql_ms", "")),
            str(bound.get("in_process_ms", "")), str(bound.get("statements", "")), f"{run['load_after']:.1f}",
        ))  # fmt: skip
    print(
        f"\nBack office pages: {prepared['debtors']:,} debtors, {args.invoices:,} invoices, PostgreSQL,"
        f" day {prepared['today']}"
    )
    print(f"wrk: {args.connections} connections x {args.seconds} s per page; gunicorn 2 workers x 4 threads")
    print(_table(head, lines))
    print("floor = the login page (a trivial view) under the same load; bound = the page's SQL replayed raw")
    print(
        f"read model rebuild (once a day): {prepared['rebuild_seconds']} s;"
        f" payer profiles: {prepared['profiles_seconds']} s"
    )
    print(f"code: {code}; machine: {machine}")
    if args.json:
        document = {"bench": "web", "code": code, "machine": machine, "prepared": prepared,
                    "bounds": bounds, "results": results}  # fmt: skip
        print(json.dumps(document, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
