"""AlarmService: the host's alarm transmission to the police alarm receiving centre (SIA DC-09).

    service = AlarmService(config, outbox_path, log_event=store_append)
    await service.start()
    entry_id = await service.submit(report)   # durable in SQLite when this returns
    ...
    await service.stop()

log_event(kind, message, data=dict) is called for alarm.queued / alarm.acked / alarm.failed /
alarm.path_lost / alarm.path_restored (kinds from protocols/events.py): controller/store's
EventStore.append fits as is. It must be quick and should not raise (errors are logged, ignored).

Delivery: one task takes the oldest pending alarm and tries the primary receiver, with `retries`
resends and doubling backoff, then each backup; when every path fails it waits (doubling up to
outage_backoff_max_s, or until a new alarm is submitted) and starts again with the same alarm, so
alarms arrive in order and at least once. A second task sends NULL link tests every supervision_s.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from controller.alarm.cipher import new_cipher as default_new_cipher
from controller.alarm.config import AlarmConfig
from controller.alarm.errors import AlarmError, ReceiverLinkError, ReceiverRejectedError
from controller.alarm.event_mapping import AlarmReportLike, map_report
from controller.alarm.outbox import ACKED, AlarmOutbox, OutboxEntry
from controller.alarm.path_state import PathTracker
from controller.alarm.transmitter import Clock, ReceiverTransmitter, utc_now
from protocols import events
from protocols.sia.frame import MAX_SEQUENCE

_LOG = logging.getLogger(__name__)

LogEvent = Callable[..., Any]  # log_event(kind, message, data=dict), e.g. EventStore.append


def _iso(when: datetime) -> str:
    return when.isoformat(timespec="milliseconds")


def sequence_for(entry_id: int) -> int:
    """DC-09 sequence of an outbox alarm: fixed by its id, so a resend (even after a restart)
    carries the same sequence and a receiver can spot the duplicate."""
    return (entry_id - 1) % MAX_SEQUENCE + 1


class AlarmService:
    """Durable, dual-path DC-09 alarm transmission (see the module docstring)."""

    def __init__(
        self,
        config: AlarmConfig,
        outbox_path: str | Path,
        log_event: LogEvent | None = None,
        clock: Clock = utc_now,
        new_cipher: Callable[[bytes], Any] = default_new_cipher,
        random_bytes: Callable[[int], bytes] = os.urandom,
    ) -> None:
        self.config = config
        self.outbox = AlarmOutbox(outbox_path)
        self._log_event = log_event
        self._clock = clock
        self.transmitters = [
            ReceiverTransmitter(
                receiver, "primary" if index == 0 else f"backup {index}",
                ack_timeout_s=config.ack_timeout_s, clock=clock, new_cipher=new_cipher,
                random_bytes=random_bytes, on_clock_corrected=self._clock_corrected,
            )
            for index, receiver in enumerate(config.receivers)
        ]
        self.paths = PathTracker([t.name for t in self.transmitters], self._log)
        self._wake = asyncio.Event()
        self._stopping = False  # stop() ends the delivery loop
        self._tasks: list[asyncio.Task[None]] = []
        self._closed = False  # outbox closed by stop()
        self._waiters: dict[int, list[asyncio.Future[OutboxEntry]]] = {}
        self._reported: dict[tuple[int, int], str] = {}  # (entry, receiver) -> last error logged

    # ------------------------------------------------------------------ API
    async def start(self) -> None:
        if self._tasks:
            return
        self._tasks.append(asyncio.create_task(self._deliver_forever(), name="alarm-delivery"))
        if self.config.supervision_s > 0:
            self._tasks.append(asyncio.create_task(self._supervise(), name="alarm-supervision"))

    async def submit(self, report: AlarmReportLike, source_key: str | None = None) -> int:
        """Map the report, store it in the outbox (durable on return), wake delivery; its id.
        source_key: what caused it, kept with the entry (AlarmOutbox.has_source after a crash).

        Raises AlarmMappingError for a report kind without a DC-09 code."""
        message = map_report(report, self.config.zones, self.config.users)
        entry_id = self.outbox.enqueue(message, _iso(self._clock()), source_key)
        text = (
            f"alarm {entry_id} queued for the receiving centre: {message.kind} "
            f"(Contact ID {message.qualifier}{message.event:03d} zone {message.zone:03d}, "
            f"SIA {message.sia_code}{' drill: test report' if message.drill else ''})"
        )
        if message.note:
            text += f"; {message.note}"
        self._log(events.ALARM_QUEUED, text, {"outbox_id": entry_id, **message.to_json()})
        self._wake.set()
        return entry_id

    async def wait_delivered(self, entry_id: int, timeout_s: float) -> OutboxEntry:
        """Wait until the alarm is ACKed; raises TimeoutError."""
        entry = self.outbox.get(entry_id)
        if entry.state == ACKED:
            return entry
        future: asyncio.Future[OutboxEntry] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(entry_id, []).append(future)
        return await asyncio.wait_for(future, timeout_s)

    async def stop(self) -> None:
        tasks, self._tasks = self._tasks, []
        self._stopping = True
        # A cancel can be swallowed by a library await that completes at the same moment: cancel
        # again until every task has ended, never wait on one for ever.
        while tasks:
            for task in tasks:
                task.cancel()
            self._wake.set()
            _, pending = await asyncio.wait(tasks, timeout=1.0)
            tasks = list(pending)
        for transmitter in self.transmitters:
            await transmitter.close()
        if not self._closed:
            self._closed = True
            self.outbox.close()

    def status(self) -> dict[str, Any]:
        """{"path": up|down|unknown, "queued": n, "last_ack": iso|None, "receivers": [...]}."""
        last_ack = max((p.last_ack for p in self.paths.paths if p.last_ack), default=None)
        return {
            "path": self.paths.summary,
            "queued": None if self._closed else self.outbox.pending_count(),
            "last_ack": last_ack or (None if self._closed else self.outbox.last_ack()),
            "receivers": [
                {
                    "name": path.name, "up": path.up, "last_error": path.last_error,
                    "last_ack": path.last_ack,
                    "clock_offset_s": transmitter.clock_offset.total_seconds(),
                }
                for path, transmitter in zip(self.paths.paths, self.transmitters, strict=True)
            ],
        }

    # ------------------------------------------------------------------ delivery
    async def _deliver_forever(self) -> None:
        outage_pause = self.config.backoff_s
        while not self._stopping:
            entry = self.outbox.head()
            if entry is None:
                self._wake.clear()
                await self._wake.wait()
                continue
            try:
                delivered = await self._deliver(entry)
            except Exception as error:  # a bug must not silently stop alarm delivery
                _LOG.exception("alarm delivery failed")
                self._log(events.ALARM_FAILED,
                          f"alarm {entry.id} could not be sent: internal error {error!r}; "
                          "retrying", {"outbox_id": entry.id, "error": repr(error)})
                delivered = False
            if delivered:
                outage_pause = self.config.backoff_s
                continue
            self._wake.clear()
            # asyncio.timeout, not wait_for: on 3.11 wait_for swallows a cancel that arrives as
            # the wake event is set (seen: stop() hanging on this task for ever).
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(outage_pause, 0.05)):
                    await self._wake.wait()
            outage_pause = min(max(outage_pause, 0.05) * 2, self.config.outage_backoff_max_s)

    async def _deliver(self, entry: OutboxEntry) -> bool:
        """True when the alarm is done with (ACKed, or refused by every receiver)."""
        sequence = sequence_for(entry.id)
        refused_everywhere = True  # every path read this very message and declined it (DUH)
        for index, transmitter in enumerate(self.transmitters):
            for attempt in range(self.config.retries + 1):
                try:
                    await transmitter.send_event(entry.message, sequence)
                except ReceiverLinkError as error:
                    self.outbox.record_attempt(entry.id, str(error))
                    if attempt < self.config.retries:
                        await asyncio.sleep(self.config.backoff_s * 2**attempt)
                    else:  # every resend on this path failed
                        self.paths.failed(index, str(error))
                        refused_everywhere = False
                    continue
                except ReceiverRejectedError as error:
                    self.outbox.record_attempt(entry.id, str(error))
                    refused_everywhere = refused_everywhere and error.message_specific
                    self._rejected(entry, index, str(error), error.message_specific)
                    break  # the same frame would be refused again: try the next path
                self._acked(entry, index)
                return True
        if refused_everywhere:
            # Keeping it at the head would hold every later alarm (a panic!) behind a message
            # no receiver will take: set it aside, loudly, and go on.
            self.outbox.mark_refused(entry.id, entry.message.kind)
            self._log(
                events.ALARM_FAILED,
                f"alarm {entry.id} ({entry.message.kind}) was read but refused (DUH) by every "
                "receiver; it is kept in the outbox as refused and later alarms go on. Fix: ask "
                "the alarm receiving centre which codes it processes (docs/ALARM-CODES.md).",
                {"outbox_id": entry.id, "refused": True},
            )
            return True
        return False

    def _acked(self, entry: OutboxEntry, index: int) -> None:
        when = _iso(self._clock())
        name = self.transmitters[index].config.name
        self.outbox.mark_acked(entry.id, name, when)
        self.paths.acked(index, when)
        self._log(
            events.ALARM_ACKED,
            f"alarm {entry.id} ({entry.message.kind}) acknowledged by {self.transmitters[index].name}",
            {"outbox_id": entry.id, "receiver": name, "sequence": sequence_for(entry.id)},
        )
        for key in [k for k in self._reported if k[0] == entry.id]:
            del self._reported[key]
        for future in self._waiters.pop(entry.id, []):
            if not future.done():
                future.set_result(self.outbox.get(entry.id))

    def _rejected(self, entry: OutboxEntry, index: int, error: str, message_specific: bool) -> None:
        if message_specific:
            self.paths.answered(index)
        else:
            self.paths.failed(index, error)
        if self._reported.get((entry.id, index)) == error:
            return  # already said, once per alarm and path: no event flood during an outage
        self._reported[(entry.id, index)] = error
        self._log(
            events.ALARM_FAILED,
            f"alarm {entry.id} ({entry.message.kind}) refused: {error} It stays queued.",
            {"outbox_id": entry.id, "receiver": self.transmitters[index].config.name,
             "error": error},
        )

    # ------------------------------------------------------------------ supervision
    async def _supervise(self) -> None:
        while True:
            await asyncio.sleep(self.config.supervision_s)
            for index, transmitter in enumerate(self.transmitters):
                try:
                    await transmitter.send_null()
                except AlarmError as error:
                    self.paths.failed(index, f"link test (NULL) failed: {error}")
                except Exception as error:  # a bug must not silently stop supervision
                    _LOG.exception("alarm supervision failed")
                    self.paths.failed(index, f"link test (NULL) failed: internal error {error!r}")
                else:
                    self.paths.acked(index, _iso(self._clock()))
            if self.paths.any_up:
                self._wake.set()  # a path came back: retry the queue now

    # ------------------------------------------------------------------ events
    def _clock_corrected(self, message: str, data: dict[str, Any]) -> None:
        self._log(events.ALARM_FAILED, message, data)

    def _log(self, kind: str, message: str, data: dict[str, Any]) -> None:
        _LOG.info("%s: %s", kind, message)
        if self._log_event is None:
            return
        try:
            self._log_event(kind, message, data=data)
        except Exception:  # the event store must never stop alarm delivery
            _LOG.exception("log_event failed for %s", kind)
