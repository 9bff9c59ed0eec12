"""AlarmService: the host's alarm transmission to every receiver group (SIA DC-09): the police
alarm receiving centre, the education authority's platform, ... Every alarm goes to every group.

    service = AlarmService(config, outbox_path, log_event=store_append)
    await service.start()
    entry_id = await service.submit(report)   # durable in SQLite when this returns
    ...
    await service.stop()

log_event(kind, message, data=dict) is called for alarm.queued / alarm.acked / alarm.failed /
alarm.path_lost / alarm.path_restored (kinds from protocols/events.py): controller/store's
EventStore.append fits as is. It must be quick and should not raise (errors are logged, ignored).

Delivery, per group: one task takes the group's oldest pending alarm and tries its primary
receiver, with `retries` resends and doubling backoff, then each backup; when every path of the
group fails it waits (doubling up to outage_backoff_max_s, or until a new alarm is submitted) and
starts again with the same alarm, so alarms arrive in order and at least once at each group, and
a group that is down never holds up the others. Another task per group sends NULL link tests every
supervision_s; a group with no working path is a trouble (alarm.path_lost, all_paths_down).
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
from controller.alarm.receiver_group import ReceiverGroup
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
        groups = config.groups
        self.groups: list[ReceiverGroup] = []
        for group, receivers in groups.items():
            label = f"{group} " if len(groups) > 1 else ""
            transmitters = [
                ReceiverTransmitter(
                    receiver, f"{label}{'primary' if index == 0 else f'backup {index}'}",
                    ack_timeout_s=config.ack_timeout_s, clock=clock, new_cipher=new_cipher,
                    random_bytes=random_bytes, on_clock_corrected=self._clock_corrected,
                )
                for index, receiver in enumerate(receivers)
            ]
            tracker = PathTracker([t.name for t in transmitters], self._log,
                                  group if len(groups) > 1 else None)
            self.groups.append(ReceiverGroup(group, transmitters, tracker))
        self.transmitters = [t for g in self.groups for t in g.transmitters]
        self.paths = self.groups[0].paths  # the first group's paths (the only one, usually)
        self._stopping = False  # stop() ends the delivery loops
        self._tasks: list[asyncio.Task[None]] = []
        self._closed = False  # outbox closed by stop()
        self._waiters: dict[int, list[asyncio.Future[OutboxEntry]]] = {}
        self._reported: dict[tuple[int, int], str] = {}  # (entry, receiver) -> last error logged

    # ------------------------------------------------------------------ API
    async def start(self) -> None:
        if self._tasks:
            return
        for group in self.groups:
            self._tasks.append(asyncio.create_task(self._deliver_forever(group),
                                                   name=f"alarm-delivery-{group.name}"))
            if self.config.supervision_s > 0:
                self._tasks.append(asyncio.create_task(self._supervise(group),
                                                       name=f"alarm-supervision-{group.name}"))

    async def submit(self, report: AlarmReportLike, source_key: str | None = None) -> int:
        """Map the report, store it in the outbox once per receiver group (durable on return),
        wake delivery; the id of the first group's row (submit_ids gives them all).
        source_key: what caused it, kept with the entry (AlarmOutbox.has_source after a crash).

        Raises AlarmMappingError for a report kind without a DC-09 code."""
        return (await self.submit_ids(report, source_key))[0]

    async def submit_ids(self, report: AlarmReportLike,
                         source_key: str | None = None) -> list[int]:
        """As submit(); the outbox id of each group's copy, in group order."""
        message = map_report(report, self.config.zones, self.config.users)
        ids = self.outbox.enqueue_groups(message, _iso(self._clock()),
                                         tuple(g.name for g in self.groups), source_key)
        entry_id = ids[0]
        where = ("the receiving centre" if len(ids) == 1 else
                 "receiver groups " + ", ".join(f"{g.name} (#{i})"
                                                for g, i in zip(self.groups, ids, strict=True)))
        text = (
            f"alarm {entry_id} queued for {where}: {message.kind} "
            f"(Contact ID {message.qualifier}{message.event:03d} zone {message.zone:03d}, "
            f"SIA {message.sia_code}{' drill: test report' if message.drill else ''})"
        )
        if message.note:
            text += f"; {message.note}"
        self._log(events.ALARM_QUEUED, text,
                  {"outbox_id": entry_id, **message.to_json(),
                   "outbox_ids": {g.name: i for g, i in zip(self.groups, ids, strict=True)}})
        for group in self.groups:
            group.wake.set()
        return ids

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
            for group in self.groups:
                group.wake.set()
            _, pending = await asyncio.wait(tasks, timeout=1.0)
            tasks = list(pending)
        for transmitter in self.transmitters:
            await transmitter.close()
        if not self._closed:
            self._closed = True
            self.outbox.close()

    def status(self) -> dict[str, Any]:
        """{"path": up|down|unknown, "queued": n, "last_ack": iso|None, "receivers": [...],
        "groups": {name: {"path", "queued", "last_ack", "receivers"}}}.

        "path" is "down" when any group has no working path (a trouble), "up" when every group
        has one."""
        groups = {
            g.name: g.status(None if self._closed else self.outbox.pending_count(g.name),
                             None if self._closed else self.outbox.last_ack(g.name))
            for g in self.groups
        }
        summaries = [g["path"] for g in groups.values()]
        path = ("down" if "down" in summaries else
                "up" if all(s == "up" for s in summaries) else "unknown")
        acks = [g["last_ack"] for g in groups.values() if g["last_ack"]]
        return {
            "path": path,
            "queued": None if self._closed else self.outbox.pending_count(),
            "last_ack": max(acks, default=None),
            "receivers": [r for g in groups.values() for r in g["receivers"]],
            "groups": groups,
        }

    # ------------------------------------------------------------------ delivery
    async def _deliver_forever(self, group: ReceiverGroup) -> None:
        outage_pause = self.config.backoff_s
        while not self._stopping:
            entry = self.outbox.head(group.name)
            if entry is None:
                group.wake.clear()
                await group.wake.wait()
                continue
            try:
                delivered = await self._deliver(entry, group)
            except Exception as error:  # a bug must not silently stop alarm delivery
                _LOG.exception("alarm delivery failed")
                self._log(events.ALARM_FAILED,
                          f"alarm {entry.id} could not be sent: internal error {error!r}; "
                          "retrying", {"outbox_id": entry.id, "error": repr(error)})
                delivered = False
            if delivered:
                outage_pause = self.config.backoff_s
                continue
            group.wake.clear()
            # asyncio.timeout, not wait_for: on 3.11 wait_for swallows a cancel that arrives as
            # the wake event is set (seen: stop() hanging on this task for ever).
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(outage_pause, 0.05)):
                    await group.wake.wait()
            outage_pause = min(max(outage_pause, 0.05) * 2, self.config.outage_backoff_max_s)

    async def _deliver(self, entry: OutboxEntry, group: ReceiverGroup) -> bool:
        """True when the alarm is done with (ACKed, or refused by every receiver of the group)."""
        sequence = sequence_for(entry.id)
        refused_everywhere = True  # every path read this very message and declined it (DUH)
        for index, transmitter in enumerate(group.transmitters):
            for attempt in range(self.config.retries + 1):
                try:
                    await transmitter.send_event(entry.message, sequence)
                except ReceiverLinkError as error:
                    self.outbox.record_attempt(entry.id, str(error))
                    if attempt < self.config.retries:
                        await asyncio.sleep(self.config.backoff_s * 2**attempt)
                    else:  # every resend on this path failed
                        group.paths.failed(index, str(error))
                        refused_everywhere = False
                    continue
                except ReceiverRejectedError as error:
                    self.outbox.record_attempt(entry.id, str(error))
                    refused_everywhere = refused_everywhere and error.message_specific
                    self._rejected(entry, group, index, str(error), error.message_specific)
                    break  # the same frame would be refused again: try the next path
                self._acked(entry, group, index)
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

    def _acked(self, entry: OutboxEntry, group: ReceiverGroup, index: int) -> None:
        when = _iso(self._clock())
        name = group.transmitters[index].config.name
        self.outbox.mark_acked(entry.id, name, when)
        group.paths.acked(index, when)
        self._log(
            events.ALARM_ACKED,
            f"alarm {entry.id} ({entry.message.kind}) acknowledged by {group.transmitters[index].name}",
            {"outbox_id": entry.id, "receiver": name, "sequence": sequence_for(entry.id),
             "group": group.name},
        )
        for key in [k for k in self._reported if k[0] == entry.id]:
            del self._reported[key]
        for future in self._waiters.pop(entry.id, []):
            if not future.done():
                future.set_result(self.outbox.get(entry.id))

    def _rejected(self, entry: OutboxEntry, group: ReceiverGroup, index: int, error: str,
                  message_specific: bool) -> None:
        if message_specific:
            group.paths.answered(index)
        else:
            group.paths.failed(index, error)
        if self._reported.get((entry.id, index)) == error:
            return  # already said, once per alarm and path: no event flood during an outage
        self._reported[(entry.id, index)] = error
        self._log(
            events.ALARM_FAILED,
            f"alarm {entry.id} ({entry.message.kind}) refused: {error} It stays queued.",
            {"outbox_id": entry.id, "receiver": group.transmitters[index].config.name,
             "error": error, "group": group.name},
        )

    # ------------------------------------------------------------------ supervision
    async def _supervise(self, group: ReceiverGroup) -> None:
        while True:
            await asyncio.sleep(self.config.supervision_s)
            for index, transmitter in enumerate(group.transmitters):
                try:
                    await transmitter.send_null()
                except AlarmError as error:
                    group.paths.failed(index, f"link test (NULL) failed: {error}")
                except Exception as error:  # a bug must not silently stop supervision
                    _LOG.exception("alarm supervision failed")
                    group.paths.failed(index, f"link test (NULL) failed: internal error {error!r}")
                else:
                    group.paths.acked(index, _iso(self._clock()))
            if group.paths.any_up:
                group.wake.set()  # a path came back: retry the queue now

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
