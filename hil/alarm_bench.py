"""Benchmark path `event_to_receiver_ack`: alarm submitted -> ACK from the receiver, on loopback.

The receiver is pysiaalarm 3.2.2 (its own DC-09 TCP handler: parsing, CRC, AES decryption,
timestamp window, ACK) on 127.0.0.1, port 0; the transmitter is controller/alarm's AlarmService
with a real SQLite outbox (WAL, synchronous=FULL) in a temporary directory, AES-128, Contact ID.
Each trial: submit() a panic report (durable in SQLite first), then wait for the receiver's ACK.

    trials_ms = asyncio.run(measure_event_to_ack(200))
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from controller.alarm.config import AlarmConfig, ReceiverConfig
from controller.alarm.service import AlarmService
from protocols import events

_ACCOUNT = "1234"
_KEY = "0123456789abcdef"  # AES-128
_ZONES = ("admin",)


class _PanicReport:
    """An AlarmReport as the policy engine makes it for a panic press (kind, zone, device...)."""

    kind = events.PANIC_ALARM
    zone = "admin"
    device = "office-panic"
    drill = False
    restore = False
    user = None


async def _start_receiver() -> tuple[asyncio.Server, int]:
    from pysiaalarm import SIAAccount
    from pysiaalarm.aio.server import SIAServerTCP
    from pysiaalarm.utils import Counter

    async def on_event(_event: object) -> None:
        return None

    handler = SIAServerTCP({_ACCOUNT: SIAAccount(_ACCOUNT, _KEY)}, on_event, Counter())
    server = await asyncio.start_server(handler.handle_line, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def measure_event_to_ack(trials: int) -> list[float]:
    """Milliseconds from AlarmService.submit() to the receiver's ACK, one entry per trial."""
    server, port = await _start_receiver()
    with tempfile.TemporaryDirectory(prefix="alarm-bench-") as state_dir:
        config = AlarmConfig(
            receivers=(ReceiverConfig("127.0.0.1", port, "tcp", _ACCOUNT, _KEY),),
            zones=_ZONES, ack_timeout_s=2.0, supervision_s=0,
        )
        service = AlarmService(config, Path(state_dir) / "alarm-outbox.sqlite")
        await service.start()
        results: list[float] = []
        try:
            report = _PanicReport()
            await service.wait_delivered(await service.submit(report), 10)  # connect, warm up
            for _ in range(trials):
                start = time.perf_counter()
                entry_id = await service.submit(report)
                await service.wait_delivered(entry_id, 10)
                results.append((time.perf_counter() - start) * 1000.0)
        finally:
            await service.stop()  # closes our connection: pysiaalarm's handler sees EOF
            server.close()
            await asyncio.sleep(0.05)  # let the handler task finish before the loop ends
    return results


_CHILD = """
import asyncio, sys, time
from controller.alarm.config import AlarmConfig, ReceiverConfig
from controller.alarm.service import AlarmService
from hil.alarm_bench import _PanicReport

async def main(outbox, port, count, interval):
    config = AlarmConfig(receivers=(ReceiverConfig("127.0.0.1", port, "tcp", "1234", "{key}"),),
                         zones=("admin",), supervision_s=0)
    service = AlarmService(config, outbox)
    await service.start()
    for _ in range(count):
        print("queued", await service.submit(_PanicReport()), flush=True)
        await asyncio.sleep(interval)
    await asyncio.sleep(3600)

asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])))
""".replace("{key}", _KEY)


async def measure_outage(events_count: int = 50, outage_s: float = 120.0) -> dict[str, float]:
    """A receiver outage with a host kill -9 in the middle of it.

    A host process queues `events_count` panic reports over the first half of the outage while
    the receiver refuses connections, and is SIGKILLed; a restarted host (this process, same
    outbox) keeps retrying; the receiver comes back after `outage_s`. Returns sent, received,
    unique, duplicates, lost and recovery_s (receiver back -> last alarm ACKed)."""
    import signal
    import socket
    import sys

    from pysiaalarm import SIAAccount
    from pysiaalarm.aio.server import SIAServerTCP
    from pysiaalarm.utils import Counter

    received: list[int] = []

    async def on_event(event) -> None:  # noqa: ANN001 - pysiaalarm's SIAEvent
        if event.message_type.value != "NULL":
            received.append(int(event.sequence))

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # bound, not listening: connections refused = receiver down
    port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory(prefix="alarm-outage-") as state_dir:
        outbox = str(Path(state_dir) / "alarm-outbox.sqlite")
        started = time.monotonic()
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-c", _CHILD, outbox, str(port), str(events_count),
            str(outage_s / 2 / events_count), stdout=asyncio.subprocess.PIPE,
        )
        sent: list[int] = []
        assert child.stdout is not None
        while len(sent) < events_count:
            line = await asyncio.wait_for(child.stdout.readline(), outage_s)
            sent.append(int(line.split()[1]))
        child.send_signal(signal.SIGKILL)  # kill -9 during the outage
        await child.wait()
        config = AlarmConfig(
            receivers=(ReceiverConfig("127.0.0.1", port, "tcp", _ACCOUNT, _KEY),),
            zones=_ZONES, supervision_s=0,
        )
        service = AlarmService(config, outbox)  # the restarted host
        await service.start()
        await asyncio.sleep(max(0.0, outage_s - (time.monotonic() - started)))
        handler = SIAServerTCP({_ACCOUNT: SIAAccount(_ACCOUNT, _KEY)}, on_event, Counter())
        server = await asyncio.start_server(handler.handle_line, sock=sock)  # receiver back
        back = time.monotonic()
        try:
            await service.wait_delivered(sent[-1], 120)
            recovery_s = time.monotonic() - back
            await asyncio.sleep(0.5)
        finally:
            await service.stop()
            server.close()
            await asyncio.sleep(0.05)
    unique = set(received)
    return {
        "sent": len(sent), "received": len(received), "unique": len(unique),
        "duplicates": len(received) - len(unique), "lost": len(set(sent) - unique),
        "in_order": float(received == sorted(received)), "recovery_s": round(recovery_s, 2),
        "outage_s": outage_s,
    }


if __name__ == "__main__":
    import statistics
    import sys

    if sys.argv[1:2] == ["outage"]:
        print(asyncio.run(measure_outage(int(sys.argv[2]), float(sys.argv[3]))))
        raise SystemExit(0)

    samples = sorted(asyncio.run(measure_event_to_ack(200)))
    print(f"event_to_receiver_ack: p50 {statistics.median(samples):.2f} ms, "
          f"p99 {samples[int(len(samples) * 0.99) - 1]:.2f} ms, max {samples[-1]:.2f} ms")
