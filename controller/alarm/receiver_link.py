"""Byte links to one alarm receiver: send a frame, get the reply bytes, within a timeout.

TCP keeps one connection open and reconnects after any failure (DC-09 §5.4.1: a connection may
carry many messages). UDP sends one datagram and waits for the reply datagram (§5.4.2).
"""

from __future__ import annotations

import asyncio
import contextlib

from controller.alarm.errors import ReceiverLinkError


def _reply_complete(buffer: bytes) -> bool:
    if b"\r" in buffer:
        return True
    text = buffer.lstrip(b"\n")
    # An unframed reply such as '"NAK"' (pysiaalarm, unknown plain account) has no CR
    return text.startswith(b'"') and text.count(b'"') >= 2 and text.endswith(b'"')


class TcpLink:
    """A persistent TCP connection to host:port."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def exchange(self, frame: bytes, timeout_s: float) -> bytes:
        """Send `frame`, return the receiver's reply. Raises ReceiverLinkError."""
        try:
            async with asyncio.timeout(timeout_s):  # not wait_for: it can swallow a cancel (3.11)
                return await self._exchange(frame)
        except TimeoutError:
            await self.close()
            raise ReceiverLinkError(
                f"no reply from {self.host}:{self.port}/tcp within {timeout_s:g} s"
            ) from None
        except OSError as error:
            await self.close()
            raise ReceiverLinkError(
                f"{self.host}:{self.port}/tcp: {error.strerror or error}"
            ) from error

    async def _exchange(self, frame: bytes) -> bytes:
        if self._writer is not None:
            try:
                return await self._send_and_read(frame)
            except OSError:
                # Receivers may close an idle connection (or close after each message): a
                # reused connection that fails gets one fresh connection before we give up.
                await self.close()
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        return await self._send_and_read(frame)

    async def _send_and_read(self, frame: bytes) -> bytes:
        assert self._reader is not None and self._writer is not None
        self._writer.write(frame)
        await self._writer.drain()
        buffer = b""
        while not _reply_complete(buffer):
            chunk = await self._reader.read(1024)
            if not chunk:
                raise ConnectionResetError(0, "receiver closed the connection")
            buffer += chunk
        return buffer

    async def close(self) -> None:
        writer, self._writer, self._reader = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError, asyncio.TimeoutError):
                await asyncio.wait_for(writer.wait_closed(), 1.0)


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.queue: asyncio.Queue[bytes | Exception] = asyncio.Queue()

    def datagram_received(self, data: bytes, addr: object) -> None:
        self.queue.put_nowait(data)

    def error_received(self, exc: Exception) -> None:  # ICMP port unreachable etc.
        self.queue.put_nowait(exc)


class UdpLink:
    """One UDP socket 'connected' to host:port."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._transport: asyncio.DatagramTransport | None = None
        self._protocol: _Datagrams | None = None

    async def exchange(self, frame: bytes, timeout_s: float) -> bytes:
        """Send `frame` as one datagram, return the reply datagram. Raises ReceiverLinkError."""
        try:
            if self._transport is None:
                loop = asyncio.get_running_loop()
                self._transport, self._protocol = await loop.create_datagram_endpoint(
                    _Datagrams, remote_addr=(self.host, self.port)
                )
            assert self._protocol is not None
            queue = self._protocol.queue
            while not queue.empty():  # a late reply to an earlier, timed-out frame
                queue.get_nowait()
            self._transport.sendto(frame)
            async with asyncio.timeout(timeout_s):
                reply = await queue.get()
        except TimeoutError:
            raise ReceiverLinkError(
                f"no reply from {self.host}:{self.port}/udp within {timeout_s:g} s"
            ) from None
        except OSError as error:
            await self.close()
            raise ReceiverLinkError(f"{self.host}:{self.port}/udp: {error}") from error
        if isinstance(reply, Exception):
            await self.close()
            raise ReceiverLinkError(f"{self.host}:{self.port}/udp: {reply}")
        return reply

    async def close(self) -> None:
        transport, self._transport, self._protocol = self._transport, None, None
        if transport is not None:
            transport.close()
