"""The worker's clock: django-tasks schedules nothing, so each worker runs this loop beside its task
runner. Every minute it plans today once past the planning time and dispatches within contact hours,
for every organisation. Several workers may run it: planning is locked per day and organisation, and
a message is claimed by one dispatcher only."""

from __future__ import annotations

import logging
import threading
import time
from datetime import date
from typing import Any

from django.db import close_old_connections
from django_scopes import scope
from django_tasks import task

logger = logging.getLogger("recouvre.clock")


def clock_once() -> None:
    from recouvre.dunning.domain.runner import clock_tick
    from recouvre.tenancy.models import Organisation

    for organisation in Organisation.objects.all():
        try:
            done = clock_tick(organisation=organisation)
        except Exception:  # one organisation's failure must not stop the others' cycle
            logger.exception("daily cycle failed for %s", organisation.slug)
            continue
        if done.get("planned") or (done.get("dispatched") or {}).get("dispatched"):
            logger.info("%s: %s", organisation.slug, done)


def clock_loop(interval: float, stop: threading.Event) -> None:
    while not stop.is_set():
        close_old_connections()
        try:
            clock_once()
        except Exception:
            logger.exception("clock tick failed")
        finally:
            close_old_connections()
        stop.wait(interval)


def clock_start(interval: float = 60.0) -> threading.Event:
    stop = threading.Event()
    threading.Thread(target=clock_loop, args=(interval, stop), name="recouvre-clock", daemon=True).start()
    time.sleep(0)
    return stop


@task()
def scenario_preview_task(organisation_id: int, scenario_id: int, start: str) -> dict[str, Any]:
    """The scenario editor's 30-day preview, in the background (minutes on a large portfolio)."""
    from recouvre.dunning.domain.scenario_preview import scenario_preview_run
    from recouvre.tenancy.models import Organisation

    organisation = Organisation.objects.get(pk=organisation_id)
    with scope(organisation=organisation):
        return scenario_preview_run(
            organisation=organisation, scenario_id=scenario_id, start=date.fromisoformat(start)
        )
