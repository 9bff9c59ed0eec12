"""The district's MQTT subscriber: a persistent session (fixed client id, clean_session off, QoS 1),
so the broker keeps what arrives while the centre is down; a message is PUBACKed only after it is
committed in the store (paho manual_ack), so a kill -9 of the centre loses nothing — the broker
sends the unacknowledged messages again and the store drops the ones it already has (by id).

Threads: paho's network loop receives into per-writer queues; each writer thread (one database
connection each; a campus always goes to the same writer, so its messages stay in order) stores
in batches (up to BATCH messages or BATCH_WAIT_S) in one transaction, then acknowledges them,
then calls on_stored(new events). Several writers keep several commits in flight.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
import zlib
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt

from controller.uplink.config import parse_broker
from controller.uplink.topics import (
    ADVISORY,
    ALARMS,
    EVENTS,
    ONLINE,
    STATE,
    STATUS,
    parse,
    subscription,
    topic,
)
from district.store import DistrictStore, now_iso

_LOG = logging.getLogger(__name__)
BATCH = 500
BATCH_WAIT_S = 0.02


class _Writer:
    """One database connection and the thread that stores the batches of its campuses."""

    def __init__(self, owner: DistrictSubscriber, store: DistrictStore, index: int) -> None:
        self.owner = owner
        self.store = store
        self.inbox: queue.Queue[mqtt.MQTTMessage | None] = queue.Queue()
        self.received = 0
        self.duplicates = 0
        self.rejected = 0
        self.thread = threading.Thread(target=self._write_forever, name=f"district-writer-{index}",
                                       daemon=True)

    def _write_forever(self) -> None:
        while True:
            first = self.inbox.get()
            if first is None:
                return
            batch = [first]
            deadline = time.monotonic() + BATCH_WAIT_S
            while len(batch) < BATCH:
                try:
                    item = self.inbox.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if item is None:
                    self.inbox.put(None)
                    break
                batch.append(item)
            self._store_batch(batch)

    def _store_batch(self, batch: list[mqtt.MQTTMessage]) -> None:
        while True:
            counts = (self.received, self.rejected, self.duplicates)
            try:
                with self.store.atomic():  # one commit for the whole batch
                    new_events = self._apply(batch)
                break
            except Exception:  # database down: keep the batch, do not ack, try again
                self.received, self.rejected, self.duplicates = counts
                _LOG.exception("district: storing %d messages failed; retrying", len(batch))
                time.sleep(1.0)
        for message in batch:
            if message.qos > 0:
                self.owner._client.ack(message.mid, message.qos)
        if new_events and self.owner.on_stored is not None:
            self.owner.on_stored(new_events)

    def _apply(self, batch: list[mqtt.MQTTMessage]) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        seen: dict[str, str] = {}
        when = now_iso()
        for message in batch:
            self.received += 1
            where = parse(message.topic)
            if where is None:
                self.rejected += 1
                continue
            campus, leaf = where
            try:
                text = message.payload.decode("utf-8")
                if leaf == STATUS:
                    self.store.campus_seen(campus, when, online=text == ONLINE)
                    seen[campus] = leaf
                    continue
                body = json.loads(text)
                if not isinstance(body, dict):
                    raise ValueError("not a JSON object")
                if leaf == STATE:
                    self.store.campus_seen(campus, when, state=body)
                elif leaf in (EVENTS, ALARMS):
                    if body.get("campus_id") != campus or not body.get("id"):
                        raise ValueError(f"event id/campus {body.get('campus_id')!r} on a "
                                         f"topic of {campus!r}")
                    events.append(body)
                else:
                    raise ValueError(f"unknown topic leaf {leaf!r}")
                seen[campus] = leaf
            except (UnicodeDecodeError, ValueError) as error:
                self.rejected += 1
                _LOG.warning("district: dropped a message on %s: %s", message.topic, error)
        new_ids = set(self.store.add_events(events)) if events else set()
        self.duplicates += len(events) - len(new_ids)
        self.store.touch([c for c, leaf in seen.items() if leaf != STATUS], when)
        if self.owner.on_campus is not None:
            for campus in seen:
                self.owner.on_campus(campus)
        unique: dict[str, dict[str, Any]] = {}
        for event in events:
            if event["id"] in new_ids:
                unique.setdefault(event["id"], event)
        return list(unique.values())


class DistrictSubscriber:
    """store: the first writer's connection; more_stores: one more writer each."""

    def __init__(self, broker: str, store: DistrictStore, *, client_id: str = "campusguard-district",
                 username: str = "", password: str | None = None, ca: str = "",
                 on_stored: Callable[[list[dict[str, Any]]], None] | None = None,
                 on_campus: Callable[[str], None] | None = None,
                 more_stores: tuple[DistrictStore, ...] = ()) -> None:
        self.address = parse_broker(broker, "broker")
        self.store = store
        self.on_stored = on_stored
        self.on_campus = on_campus
        self.connected = False
        self._writers = [_Writer(self, s, i) for i, s in enumerate((store, *more_stores))]
        self._client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id,
                                   clean_session=False, protocol=mqtt.MQTTv311, manual_ack=True)
        self._client.max_inflight_messages_set(1000)
        if username:
            self._client.username_pw_set(username, password)
        if self.address.tls:
            self._client.tls_set(ca_certs=ca or None)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message
        self._client.reconnect_delay_set(0.2, 5)

    @property
    def received(self) -> int:
        return sum(w.received for w in self._writers)

    @property
    def duplicates(self) -> int:
        """Messages whose id was already stored (a resend): stored once."""
        return sum(w.duplicates for w in self._writers)

    @property
    def rejected(self) -> int:
        """Unreadable payloads, or a campus id that does not match its topic."""
        return sum(w.rejected for w in self._writers)

    def start(self) -> None:
        for writer in self._writers:
            writer.thread.start()
        self._client.connect_async(self.address.host, self.address.port, keepalive=10)
        self._client.loop_start()

    def stop(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()
        for writer in self._writers:
            writer.inbox.put(None)
        for writer in self._writers:
            writer.thread.join(10)

    def publish_advisory(self, campus_id: str, advisory: dict[str, Any]) -> None:
        """Send a district advisory to one campus (QoS 1; the campus handles each id once)."""
        info = self._client.publish(topic(campus_id, ADVISORY), json.dumps(advisory), qos=1)
        if info.rc != mqtt.MQTT_ERR_SUCCESS and info.rc != mqtt.MQTT_ERR_NO_CONN:
            raise RuntimeError(f"advisory to {campus_id} not queued: {mqtt.error_string(info.rc)}")

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        parts = message.topic.split("/")
        campus = parts[2] if len(parts) > 2 else ""
        index = zlib.crc32(campus.encode()) % len(self._writers)
        self._writers[index].inbox.put(message)

    def _on_connect(self, client: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            _LOG.warning("district: broker refused the connection: %s", reason)
            return
        self.connected = True
        client.subscribe(subscription(), qos=1)

    def _on_disconnect(self, *_args: Any) -> None:
        self.connected = False
