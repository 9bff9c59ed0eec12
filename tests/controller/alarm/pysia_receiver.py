"""pysiaalarm 3.2.2 as the real alarm receiver for the tests, on loopback, port 0.

Uses pysiaalarm's own TCP and UDP handlers (SIAServerTCP/SIAServerUDP: parsing, CRC, decryption,
timestamp window, ACK/NAK/DUH replies); only the sockets are ours so the port can be 0 (xdist)."""

from __future__ import annotations

import asyncio
import contextlib
import socket

from pysiaalarm import SIAAccount
from pysiaalarm.aio.server import SIAServerTCP, SIAServerUDP
from pysiaalarm.event import SIAEvent
from pysiaalarm.utils import Counter


class _UdpServer(SIAServerUDP):
    """pysiaalarm's UDP handler as is, except connection_made: on CPython 3.11 the selector
    loop's datagram transport is not an asyncio.DatagramTransport subclass, so pysiaalarm's
    isinstance assertion fails (its own SIAClientUDP cannot start on 3.11 either)."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]


class PysiaReceiver:
    """A DC-09 receiver: `events` are the messages it ACKed, in arrival order (NULLs apart)."""

    def __init__(self, protocol: str, accounts: dict[str, str | None]) -> None:
        self.protocol = protocol
        self.accounts = {acc: SIAAccount(acc, key) for acc, key in accounts.items()}
        self.events: list[SIAEvent] = []
        self.nulls: list[SIAEvent] = []
        self.port = 0
        self._changed = asyncio.Event()
        self._server: asyncio.Server | None = None
        self._transport: asyncio.BaseTransport | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def _on_event(self, event: SIAEvent) -> None:
        (self.nulls if event.message_type.value == "NULL" else self.events).append(event)
        self._changed.set()

    async def start(self, sock: socket.socket | None = None, port: int = 0) -> int:
        counts = Counter()
        if self.protocol == "tcp":
            handler = SIAServerTCP(self.accounts, self._on_event, counts)

            async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
                self._writers.add(writer)
                try:
                    await handler.handle_line(reader, writer)
                finally:
                    self._writers.discard(writer)

            if sock is not None:
                self._server = await asyncio.start_server(handle, sock=sock)
            else:
                self._server = await asyncio.start_server(handle, "127.0.0.1", port)
            self.port = self._server.sockets[0].getsockname()[1]
        else:
            loop = asyncio.get_running_loop()
            self._transport, _ = await loop.create_datagram_endpoint(
                lambda: _UdpServer(self.accounts, self._on_event, counts),
                local_addr=("127.0.0.1", port),
            )
            self.port = self._transport.get_extra_info("sockname")[1]
        return self.port

    async def stop(self) -> None:
        """Receiver down: no listener, open connections cut."""
        if self._server is not None:
            self._server.close()
            for writer in list(self._writers):
                writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)
            self._server = None
        if self._transport is not None:
            self._transport.close()
            self._transport = None

    async def wait_events(self, count: int, timeout_s: float = 10.0) -> list[SIAEvent]:
        async def enough() -> None:
            while len(self.events) < count:
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(enough(), timeout_s)
        return self.events

    async def wait_nulls(self, count: int, timeout_s: float = 10.0) -> list[SIAEvent]:
        async def enough() -> None:
            while len(self.nulls) < count:
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(enough(), timeout_s)
        return self.nulls


def closed_tcp_port() -> socket.socket:
    """A bound, not listening TCP socket: connections to its port are refused until a receiver
    is started on it (start(sock=...)) - an outage without a port race."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock
