"""Typed store errors. StoreUnavailable is what the host's callers see (the control socket, the
console, the district): the events of an action could not be made durable."""

from __future__ import annotations


class StoreUnavailable(Exception):
    """The event store cannot make events durable (disk full, I/O error, damaged pages).

    The message says what failed and how to fix it, e.g. "events.db on /var/lib/x: disk full
    (errno 28). Fix: free space; the host retries every 2 s". The events are kept in memory and
    retried; an action that raised this is in force but not written."""


class StoreDamaged(Exception):
    """events.db (or the policy state saved in it) cannot be read back: damaged pages, not a
    database, or saved state this host cannot parse. The host moves the file aside at start."""
