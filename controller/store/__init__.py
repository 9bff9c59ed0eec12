"""The event store: SQLite (WAL, synchronous=FULL) holding every event, command, decision and
operator action, and the saved policy state. Survives kill -9."""

from controller.store.async_store import AsyncEventStore
from controller.store.event_store import EventStore, EventStoreError
from controller.store.record import EventRecord, format_ts, parse_ts

__all__ = ["AsyncEventStore", "EventRecord", "EventStore", "EventStoreError", "format_ts",
           "parse_ts"]
