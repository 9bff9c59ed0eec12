"""Guard-room I/O on real gpiozero with its MockFactory (mock pins, real gpiozero logic)."""

from __future__ import annotations

import asyncio

import pytest
from gpiozero.pins.mock import MockFactory

from controller.local_io.config import LocalIoError, load_local_io
from controller.local_io.guard_room import GuardRoomIo
from controller.policy.inputs import KeySwitchOff, KeySwitchOn, PanicPressed

TABLE = {"key_switch_pin": 17, "panic_button_pin": 27, "panic_zone": "admin",
         "siren_relay_pin": 22, "bounce_ms": 0}


async def drain(events, n, timeout=2.0):
    for _ in range(int(timeout / 0.01)):
        if len(events) >= n:
            return
        await asyncio.sleep(0.01)


async def test_key_switch_and_panic_button_become_policy_events_and_siren_follows():
    factory = MockFactory()
    events = []
    io = GuardRoomIo(load_local_io(TABLE, ("admin",)), events.append, asyncio.get_running_loop(),
                     pin_factory=factory)
    try:
        factory.pin(17).drive_low()  # pull-up input: the key closes the contact to ground
        await drain(events, 1)
        assert io.key_switch_on()
        factory.pin(17).drive_high()
        factory.pin(27).drive_low()
        await drain(events, 3)
        assert events == [KeySwitchOn(), KeySwitchOff(),
                          PanicPressed("guard-room-button", "admin")]
        io.set_siren(True)
        assert factory.pin(22).state == 1
        io.set_siren(False)
        assert factory.pin(22).state == 0
    finally:
        io.close()


async def test_active_low_relay_board():
    factory = MockFactory()
    io = GuardRoomIo(load_local_io({"siren_relay_pin": 5, "relay_active_high": False}, ()),
                     lambda e: None, asyncio.get_running_loop(), pin_factory=factory)
    try:
        assert factory.pin(5).state == 1, "an active-low relay board idles high (siren off)"
        io.set_siren(True)
        assert factory.pin(5).state == 0
    finally:
        io.close()


@pytest.mark.parametrize("table, words", [
    ({"key_switch_pin": 40}, "key_switch_pin = 40"),
    ({"siren_pin": 3}, "unknown key(s) siren_pin"),
    ({"key_switch_pin": 4, "siren_relay_pin": 4}, "share pin"),
    ({"panic_button_pin": 4, "panic_zone": "nowhere"}, "panic_zone = 'nowhere'"),
])
def test_bad_local_io_table_names_the_key_and_the_fix(table, words):
    with pytest.raises(LocalIoError) as info:
        load_local_io(table, ("admin",), "sites/x.toml")
    assert words in str(info.value) and "Fix:" in str(info.value) and "sites/x.toml" in str(info.value)
