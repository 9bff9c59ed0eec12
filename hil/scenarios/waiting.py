"""Waiting for the campus to reach a state, with a deadline and a message naming what was awaited."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from hil.host_process import HostError


async def eventually(check: Callable[[], Awaitable[bool]], timeout_s: float, what: str, period_s: float = 0.1) -> float:
    """Wait until check() is true; returns the seconds it took; fails naming `what`."""
    started = time.monotonic()
    last_error: Exception | None = None
    while time.monotonic() - started < timeout_s:
        try:
            if await check():
                return time.monotonic() - started
        except (HostError, KeyError, AssertionError) as exc:
            last_error = exc
        await asyncio.sleep(period_s)
    raise AssertionError("%s: not within %.1f s%s" % (what, timeout_s, " (last error: %s)" % last_error if last_error else ""))
