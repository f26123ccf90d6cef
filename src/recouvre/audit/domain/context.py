"""Which interface a change came through (web, api, cli), set once at the interface's entry so
that domain services record it without each caller passing it down."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_channel: ContextVar[str] = ContextVar("audit_channel", default="system")


@contextmanager
def acting_through(channel: str) -> Iterator[None]:
    token = _channel.set(channel)
    try:
        yield
    finally:
        _channel.reset(token)


def current_channel() -> str:
    return _channel.get()
