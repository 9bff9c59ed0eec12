"""Publishes the uplink outbox to the district broker: QoS 1, a row leaves the outbox only on its
PUBACK. Reconnects forever with a doubling pause (up to 10 s); the last will (status "offline",
retained) tells the district when this campus falls silent.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import aiomqtt

from controller.uplink.config import UplinkConfig
from controller.uplink.outbox import OutboxMessage, UplinkOutbox
from controller.uplink.topics import ADVISORY, OFFLINE, ONLINE, STATE, STATUS, topic

_LOG = logging.getLogger(__name__)
WINDOW = 100  # messages in flight (published, PUBACK not yet seen)
PUBACK_TIMEOUT_S = 10.0


class UplinkPublisher:
    """One MQTT connection per campus; `state` returns the retained state (or None)."""

    def __init__(self, config: UplinkConfig, outbox: UplinkOutbox,
                 state: Callable[[], dict[str, Any] | None] | None = None,
                 client_id: str | None = None,
                 on_advisory: Callable[[bytes], Awaitable[None]] | None = None) -> None:
        self.config = config
        self.outbox = outbox
        self._state = state
        self.client_id = client_id or f"campusguard-campus-{config.campus_id}"
        self.wake = asyncio.Event()
        self.connected = False
        self.last_error = ""
        self.last_puback: str | None = None
        self.connects = 0
        self._published_state: str | None = None
        self.on_advisory = on_advisory  # the district's advisories (topic .../advisory)

    def _client(self) -> aiomqtt.Client:
        address = self.config.address
        tls = aiomqtt.TLSParameters(ca_certs=self.config.ca or None) if address.tls else None
        client = aiomqtt.Client(
            address.host, address.port, identifier=self.client_id,
            username=self.config.username or None, password=self.config.password(),
            keepalive=self.config.keepalive_s, clean_session=True, timeout=PUBACK_TIMEOUT_S,
            will=aiomqtt.Will(topic(self.config.campus_id, STATUS), OFFLINE, qos=1, retain=True),
            tls_params=tls, max_inflight_messages=WINDOW,
        )
        client.pending_calls_threshold = WINDOW + 10  # a full window in flight is normal
        return client

    async def run(self) -> None:
        pause = 0.2
        while True:
            try:
                async with self._client() as client:
                    self.connected = True
                    self.connects += 1
                    self.last_error = ""
                    pause = 0.2
                    await client.publish(topic(self.config.campus_id, STATUS), ONLINE, qos=1,
                                         retain=True)
                    self._published_state = None
                    if self.on_advisory is not None:
                        await client.subscribe(topic(self.config.campus_id, ADVISORY), qos=1)
                    try:
                        await self._pump(client)
                    except asyncio.CancelledError:  # host stopping: say so (no will on DISCONNECT)
                        with contextlib.suppress(aiomqtt.MqttError, TimeoutError):
                            await client.publish(topic(self.config.campus_id, STATUS), OFFLINE,
                                                 qos=1, retain=True, timeout=2.0)
                        raise
            except aiomqtt.MqttError as error:
                self.last_error = str(error)
                if self.connected:
                    _LOG.warning("uplink to %s lost: %s", self.config.broker, error)
            except OSError as error:  # DNS, TLS files
                self.last_error = str(error)
            self.connected = False
            await asyncio.sleep(pause)
            pause = min(pause * 2, 10.0)

    async def _pump(self, client: aiomqtt.Client) -> None:
        # The broker may drop an idle connection (a frozen host, a network cut): the message
        # iterator raises MqttError on disconnect even when nothing is being published.
        watch = asyncio.create_task(self._receive(client), name="uplink-receive")
        try:
            while True:
                if watch.done():
                    watch.result()  # raises the disconnect
                    raise aiomqtt.MqttError("disconnected")
                await self._publish_state(client)
                batch = self.outbox.batch(WINDOW)
                if not batch:
                    self.wake.clear()
                    waiter = asyncio.create_task(self.wake.wait())
                    await asyncio.wait({waiter, watch}, timeout=1.0,
                                       return_when=asyncio.FIRST_COMPLETED)
                    waiter.cancel()
                    continue
                await self._publish_batch(client, batch)
        finally:
            watch.cancel()
            with contextlib.suppress(asyncio.CancelledError, aiomqtt.MqttError):
                await watch

    async def _publish_batch(self, client: aiomqtt.Client, batch: list[OutboxMessage]) -> None:
        results = await asyncio.gather(
            *(client.publish(m.topic, m.payload, qos=1) for m in batch), return_exceptions=True)
        done = [m.seq for m, r in zip(batch, results, strict=True) if r is None]
        self.outbox.acked(done)  # one small WAL transaction, no fsync: cheaper than a thread hop
        if done:
            self.last_puback = datetime.now(UTC).isoformat(timespec="milliseconds")
        failed = [r for r in results if isinstance(r, BaseException)]
        if failed:
            self.outbox.attempted([m.seq for m, r in zip(batch, results, strict=True)
                                   if r is not None])
            error = failed[0]
            raise error if isinstance(error, aiomqtt.MqttError) else aiomqtt.MqttError(
                f"publish failed: {error!r}")

    async def _publish_state(self, client: aiomqtt.Client) -> None:
        if self._state is None:
            return
        state = self._state()
        if state is None:
            return
        text = json.dumps(state, sort_keys=True, default=str)
        if text == self._published_state:
            return
        stamped = json.dumps({**state, "ts": datetime.now(UTC).isoformat(timespec="milliseconds")},
                             sort_keys=True, default=str)
        await client.publish(topic(self.config.campus_id, STATE), stamped, qos=1, retain=True)
        self._published_state = text


    async def _receive(self, client: aiomqtt.Client) -> None:
        """Advisories from the district; ends only by raising (disconnect)."""
        async for message in client.messages:
            if self.on_advisory is None or not isinstance(message.payload, bytes | str):
                continue
            payload = message.payload
            try:
                await self.on_advisory(payload.encode() if isinstance(payload, str) else payload)
            except Exception:  # a bad advisory must not cut the uplink
                _LOG.exception("uplink: handling a district advisory failed")
