"""The guard-room key switch and siren wired into a running host (gpiozero MockFactory pins),
acting through host.actions like every other door."""

from __future__ import annotations

import asyncio
from pathlib import Path

from gpiozero.pins.mock import MockFactory

from controller.local_io.config import load_local_io
from controller.local_io.guard_room import GuardRoomIo
from controller.service.host import Host
from controller.service.paths import StatePaths
from controller.service.ports import BusPort
from controller.site import load_site
from protocols import events as E

SMALL_SITE = Path(__file__).resolve().parents[2] / "integration" / "small-campus.toml"


async def test_key_switch_locks_the_campus_down_and_the_siren_sounds(tmp_path):
    site_file = tmp_path / "site.toml"
    site_file.write_text(SMALL_SITE.read_text() + """
[local_io]
key_switch_pin = 17
siren_relay_pin = 22
bounce_ms = 0
""")
    site = load_site(site_file)
    factory = MockFactory()

    def local_io(host):
        config = load_local_io(host.site.local_io, host.site.zone_names(), str(host.site.path))
        return GuardRoomIo(config, host.actions.local_input, asyncio.get_running_loop(),
                           pin_factory=factory)

    ports = {b.name: BusPort(b.name, str(tmp_path / "unplugged"), b.baud, b.parity, b.stopbits)
             for b in site.buses}
    host = Host(site, StatePaths(tmp_path / "state"), ports, local_io_factory=local_io)
    await host.start()
    try:
        assert factory.pin(22).state == 0
        factory.pin(17).drive_low()  # the guard turns the key
        for _ in range(50):
            if host.state.mode == "lockdown":
                break
            await asyncio.sleep(0.02)
        assert host.state.mode == "lockdown"
        assert factory.pin(22).state == 1, "siren and strobe on"
        factory.pin(17).drive_high()
        await asyncio.sleep(0.1)
        assert host.state.mode == "lockdown", "turning the key back never clears a lockdown"
        await host.flush()
        locked = host.store.query(kind=E.LOCKDOWN_SET)
        assert locked and locked[-1].data["method"] == "key_switch", "through Actions"
        assert host.status()["lockdowns"][0]["method"] == "key_switch"
    finally:
        await host.stop()
