"""demo, serve, worker."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

from recouvre.cli.context import EXIT_OK, CommandError, emit


def demo(args: Any) -> int:
    from recouvre.demo.services import DemoRefused, demo_load

    if args.invoices < 1:
        raise CommandError("--invoices must be at least 1")
    if not 0 <= args.history_days <= 120:
        raise CommandError("--history-days must be between 0 and 120")
    try:
        result = demo_load(invoices=args.invoices, seed=args.seed, history_days=args.history_days)
    except DemoRefused as exc:
        if args.if_empty:
            # `make run` asks for the demo every time; an existing portfolio is kept as it is.
            emit(args, {"skipped": str(exc)}, f"demo not loaded: {exc}")
            return EXIT_OK
        raise CommandError(str(exc)) from None
    document = {
        "debtors": result.debtors,
        "invoices": result.invoices,
        "organisation": result.organisation_slug,
        "login": {"email": result.login_email, "password": result.login_password},
    }
    text = (
        f"demo portfolio loaded: {result.debtors} debtors, {result.invoices} invoices"
        f" for {result.organisation_slug}\nlog in as {result.login_email} / {result.login_password}"
    )
    emit(args, document, text)
    return EXIT_OK


def worker(args: Any) -> int:
    import os

    from django.core.management import call_command

    from recouvre.dunning.tasks import clock_start

    if not args.no_clock:
        # The daily cycle's trigger (dunning.md "When it runs"): the task framework schedules nothing.
        clock_start(float(os.environ.get("RECOUVRE_CLOCK_SECONDS", "60")))
    call_command("db_worker", queue_name="*", interval=1, reload=False)
    return EXIT_OK


def serve(args: Any) -> int:
    """The web application (gunicorn) and one background worker, stopped together."""
    web = [
        sys.executable,
        "-m",
        "gunicorn",
        "recouvre.config.wsgi:application",
        "--bind",
        f"{args.host}:{args.port}",
        "--workers",
        "2",
        "--threads",
        "4",
        "--access-logfile",
        "-",
    ]
    background = [sys.executable, "-m", "recouvre.cli.main", "worker"]
    processes = [subprocess.Popen(web), subprocess.Popen(background)]
    print(
        f"recouvre serving on http://{args.host}:{args.port}/ (Ctrl-C to stop)", file=sys.stderr, flush=True
    )

    def stop(*_: object) -> None:
        for process in processes:
            if process.poll() is None:
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    failed = [p.returncode for p in processes if p.returncode not in (0, -signal.SIGTERM, None)]
    return 1 if failed else EXIT_OK
