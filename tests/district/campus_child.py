"""A campus uplink in its own process (so a test can stop, freeze or kill it):
python campus_child.py BROKER CAMPUS_ID STATE_DIR KEEPALIVE_S. It follows STATE_DIR/events.db
(the host's event store; the test appends to it) and publishes until killed."""

import asyncio
import sys
from pathlib import Path

from controller.store import EventStore
from controller.uplink.config import UplinkConfig
from controller.uplink.service import Uplink


async def main(broker: str, campus: str, state_dir: Path, keepalive: int) -> None:
    EventStore(state_dir / "events.db").close()  # the store exists before the feed opens it
    config = UplinkConfig(broker=broker, campus_id=campus, keepalive_s=keepalive)
    uplink = Uplink(config, state_dir, events_db=state_dir / "events.db",
                    status=lambda: {"site": campus, "mode": "normal", "zones": {}, "devices": []},
                    name=f"School {campus}")
    await uplink.start()
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])))
