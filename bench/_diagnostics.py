"""Diagnostics for bench/cycle.py: timers around the planning step's parts, time per SQL statement
shape, cProfile. They explain the figures; they are not the figures."""

from __future__ import annotations

import argparse
import io
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

FACTS_PARTS = (
    "withheld_invoice_ids",
    "_summaries",
    "_cases",
    "_promises",
    "_debtors",
    "_reach",
    "_profiles",
    "message_days_by_group",
    "scenario_resolver",
)
LOOP = "loop: plan_debtor per debtor (between facts and _write)"


def instrument(timers: dict[str, float]) -> Callable[[], dict[str, float]]:
    """Wraps the planning step's parts (module globals, looked up at each call) with timers; the
    loop is the time between the end of `portfolio_facts` and the start of `_write`. Returns a
    function giving the parts once the step ran."""
    import recouvre.dunning.domain.cycle as cycle
    import recouvre.dunning.domain.facts as facts

    def wrap(module: Any, name: str, label: str, mark: str = "") -> None:
        original = getattr(module, name)

        def timed(*a: Any, **k: Any) -> Any:
            started = time.perf_counter()
            if mark == "start":
                timers["@write_start"] = started
            try:
                return original(*a, **k)
            finally:
                ended = time.perf_counter()
                timers[label] = timers.get(label, 0.0) + ended - started
                if mark == "end":
                    timers["@facts_end"] = ended

        setattr(module, name, timed)

    wrap(cycle, "portfolio_facts", "facts: portfolio_facts", "end")
    for name in FACTS_PARTS:
        wrap(facts, name, f"facts:   {name}")
    wrap(facts, "overdue_by_debtor", "facts:     _summaries: overdue_by_debtor")
    wrap(facts, "open_items", "facts:     _summaries: open_items (detailed debtors)")
    wrap(cycle, "_write", "write: _write", "start")
    wrap(cycle, "open_items", "write:   open_items (listed invoices)")
    wrap(cycle, "events_insert", "write:   events_insert")

    def parts() -> dict[str, float]:
        found = dict(timers)
        loop = found.pop("@write_start", 0.0) - found.pop("@facts_end", 0.0)
        return {**found, LOOP: loop}

    return parts


def sql_stats(connection: Any, shapes: dict[str, list[float]]) -> Any:
    """Wall time per statement shape, the commit included (SQLite computes rows while they are
    fetched, and PostgreSQL's COPY bypasses the wrapper: neither is in these figures)."""
    lists = re.compile(r"(%s|\?)(, (%s|\?))+")

    def record(shape: str, started: float) -> None:
        entry = shapes.setdefault(shape, [0, 0.0])
        entry[0], entry[1] = entry[0] + 1, entry[1] + time.perf_counter() - started

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            record(" ".join(lists.sub("...", sql[:400]).split())[:150], started)

    commit = connection._commit

    def timed_commit() -> None:
        started = time.perf_counter()
        try:
            commit()
        finally:
            record("COMMIT", started)

    connection._commit = timed_commit
    return connection.execute_wrapper(wrapper)


def top_sql(shapes: dict[str, list[float]], count: int = 15) -> list[tuple[float, int, str]]:
    ranked = sorted(shapes.items(), key=lambda item: -item[1][1])[:count]
    return [(round(seconds, 3), int(n), sql) for sql, (n, seconds) in ranked]


def profiled(args: argparse.Namespace, call: Callable[[], Any]) -> tuple[Any, list[str] | None]:
    """With --profile-out (a path): cProfile around the call; the stats are written there (.prof,
    .txt) and the top functions by own time returned."""
    if not args.profile_out:
        return call(), None
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    result = profiler.runcall(call)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.dump_stats(args.profile_out)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(50)
    Path(args.profile_out).with_suffix(".txt").write_text(out.getvalue())
    return result, [line for line in out.getvalue().splitlines() if line.strip()][3:30]
