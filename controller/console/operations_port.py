"""The console's one door to the operations ledger (controller/operations): duty, gate log and
hazards are the same records the CLI verbs make, opened beside the event log in the state dir.

SQLite writes wait for the disk (synchronous=FULL): every ledger call runs in a worker thread so
the host's loop, which carries the life-safety path, never waits on it. Who is recorded is always
the session's operator, and operations/permissions.py says whether their role may record it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, TypeVar

from controller.console.errors import ConsoleError
from controller.console.status_view import local_iso
from controller.operations.ledger import Ledger, LedgerError
from controller.operations.permissions import NotAllowed, require
from controller.store.record import parse_ts

if TYPE_CHECKING:
    from controller.console.context import ConsoleContext
    from controller.console.identity_port import Session

T = TypeVar("T")


def allow(session: Session, action: str) -> str:
    """The session's operator name when their role may do action; else a 403 naming who may."""
    operator = session.operator
    try:
        require(operator.name, operator.role, action)
    except NotAllowed as exc:
        raise ConsoleError(403, str(exc)) from None
    return operator.name


def _with_ledger(root, work: Callable[[Ledger], T]) -> T:
    with Ledger(root) as ledger:
        return work(ledger)


async def in_ledger(ctx: ConsoleContext, work: Callable[[Ledger], T]) -> T:
    """work(ledger) in a worker thread. A ledger that cannot be opened or written is a 503 with
    its fix; refusals of the registers themselves are raised as they are (the route maps them)."""
    try:
        return await asyncio.to_thread(_with_ledger, ctx.host.paths.root, work)
    except LedgerError as exc:
        if type(exc) is LedgerError:  # the file, not the request: disk, permissions
            raise ConsoleError(503, str(exc)) from None
        raise


def refused(exc: LedgerError, fix: str, status: int = 409) -> ConsoleError:
    """A register's refusal (already signed on, already closed ...) as a 4xx with its fix."""
    return ConsoleError(status, f"{exc}. Fix: {fix}")


def day(text: str | None, field: str) -> date | None:
    """A YYYY-MM-DD field, or a 422 that says how to write it."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConsoleError(422, f"{field} = {text!r} is not a date. Fix: write YYYY-MM-DD, "
                           "e.g. 2026-12-31 (a site-local day)") from None


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def now_fields(ctx: ConsoleContext) -> dict[str, str]:
    """What every operations reply carries. Times are site-local ISO 8601 with their offset, as
    everywhere in the console; the page shows them in this timezone, whatever the browser's."""
    return {"time_zone": ctx.host.site.timezone, "now": local_iso(utc_now(), ctx.host.site.tz)}


def localized(ctx: ConsoleContext, record: dict, *keys: str) -> dict:
    """record with its UTC stamps (keys) turned into site-local ISO times."""
    out = dict(record)
    for key in keys:
        if out.get(key):
            out[key] = local_iso(parse_ts(out[key]), ctx.host.site.tz)
    return out
