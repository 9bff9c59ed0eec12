"""Child host for the kill -9 test: queue alarms while the receiver is down, then keep retrying
until killed. Prints "queued <id>" once each alarm is durable, then "ready".

usage: outbox_child.py OUTBOX_PATH PORT COUNT"""

import asyncio
import sys

from alarm_reports import AlarmReport

from controller.alarm.config import AlarmConfig, ReceiverConfig
from controller.alarm.service import AlarmService
from protocols import events


async def main(outbox: str, port: int, count: int) -> None:
    config = AlarmConfig(
        receivers=(ReceiverConfig("127.0.0.1", port, "tcp", "1234"),),
        zones=("a", "b", "c"), ack_timeout_s=1.0, backoff_s=0.05, outage_backoff_max_s=0.2,
        supervision_s=0,
    )
    service = AlarmService(config, outbox)
    await service.start()
    for i in range(count):
        entry_id = await service.submit(AlarmReport(events.PANIC_ALARM, "abc"[i % 3], f"p{i}"))
        print(f"queued {entry_id}", flush=True)
    print("ready", flush=True)
    await asyncio.sleep(60)  # retrying against the dead receiver until SIGKILL


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
