"""Errors of the event store that callers act on."""

from __future__ import annotations


class StoreUnavailable(Exception):
    """An event could not be made durable (disk full, I/O error, damaged pages). The message
    says what failed and what to fix; what was decided stays in force in memory and on the
    devices."""
