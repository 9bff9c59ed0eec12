"""kill -9 of the host during a receiver outage loses no alarm: a new process sends them all."""

import asyncio
import signal
import sys
from pathlib import Path

from pysia_receiver import PysiaReceiver, closed_tcp_port

from controller.alarm.config import AlarmConfig, ReceiverConfig
from controller.alarm.outbox import AlarmOutbox
from controller.alarm.service import AlarmService

HERE = Path(__file__).resolve().parent
COUNT = 30


async def test_host_killed_during_outage_loses_nothing(tmp_path):
    outbox = tmp_path / "alarm-outbox.sqlite"
    sock = closed_tcp_port()  # the receiver is down: connections refused
    port = sock.getsockname()[1]
    child = await asyncio.create_subprocess_exec(
        sys.executable, str(HERE / "outbox_child.py"), str(outbox), str(port), str(COUNT),
        stdout=asyncio.subprocess.PIPE, cwd=str(HERE),
    )
    queued = []
    try:
        while True:
            line = (await asyncio.wait_for(child.stdout.readline(), 20)).decode().strip()
            if line == "ready" or not line:
                break
            queued.append(int(line.split()[1]))
        await asyncio.sleep(0.5)  # it is retrying against the dead receiver
    finally:
        child.send_signal(signal.SIGKILL)
        assert await child.wait() == -signal.SIGKILL
    assert len(queued) == COUNT

    check = AlarmOutbox(outbox)
    assert check.pending_count() == COUNT  # every acknowledged submit() survived kill -9
    assert all(e.attempts > 0 for e in check.entries()[:1])  # it was trying when killed
    check.close()

    receiver = PysiaReceiver("tcp", {"1234": None})
    await receiver.start(sock=sock)  # the receiver comes back
    config = AlarmConfig(receivers=(ReceiverConfig("127.0.0.1", port, "tcp", "1234"),),
                         zones=("a", "b", "c"), ack_timeout_s=1.0, supervision_s=0)
    service = AlarmService(config, outbox)  # the restarted host
    await service.start()
    try:
        await service.wait_delivered(queued[-1], 20)
        got = await receiver.wait_events(COUNT)
        await asyncio.sleep(0.2)  # room for any duplicate to show up
    finally:
        await service.stop()
        await receiver.stop()
    sequences = [int(e.sequence) for e in receiver.events]
    assert sequences == queued  # all of them, in order, no duplicate
    assert [e.code for e in got] == ["PA"] * COUNT
    assert [int(e.ri) for e in got] == [i % 3 + 1 for i in range(COUNT)]
