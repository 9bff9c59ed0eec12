"""The site file's [local_io] table (optional; no table = no local I/O):

    [local_io]
    key_switch_pin = 17          # BCM pin of the guard-room lockdown key switch (closed = lockdown)
    panic_button_pin = 27        # BCM pin of the host-side panic button
    panic_name = "guard-room-button"   # device name the log uses for it
    panic_zone = "admin"         # its zone (required with panic_button_pin)
    siren_relay_pin = 22         # BCM pin driving the siren/strobe relay
    relay_active_high = true     # false for relay boards that switch on a low output
    pull_up = true               # inputs switch to ground (internal pull-up)
    bounce_ms = 50               # contact debounce
Every key is optional; a pin that is left out means that piece of I/O is not fitted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_KEYS = ("key_switch_pin", "panic_button_pin", "panic_name", "panic_zone", "siren_relay_pin",
         "relay_active_high", "pull_up", "bounce_ms")


class LocalIoError(ValueError):
    """[local_io] in the site file is wrong; the message names the key and the fix."""


@dataclass(frozen=True)
class LocalIoConfig:
    key_switch_pin: int | None = None  # BCM pin; None = no key switch
    panic_button_pin: int | None = None  # BCM pin; None = no host panic button
    panic_name: str = "guard-room-button"  # device name in events
    panic_zone: str = ""  # zone of the host panic button
    siren_relay_pin: int | None = None  # BCM pin; None = no siren relay
    relay_active_high: bool = True
    pull_up: bool = True  # inputs close to ground
    bounce_ms: int = 50  # debounce of the contacts

    @property
    def fitted(self) -> bool:
        return any(p is not None for p in (self.key_switch_pin, self.panic_button_pin, self.siren_relay_pin))


def _pin(table: Mapping[str, Any], key: str, where: str) -> int | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 27:
        raise LocalIoError(f"{where}: [local_io] {key} = {value!r}: must be a BCM GPIO number 0..27. "
                           f"Fix: give the pin number the wire is on, or remove the key")
    return value


def load_local_io(table: Mapping[str, Any], zones: tuple[str, ...], where: str = "site file") -> LocalIoConfig:
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        raise LocalIoError(f"{where}: [local_io] unknown key(s) {', '.join(unknown)}. "
                           f"Fix: use only {', '.join(_KEYS)}")
    config = LocalIoConfig(
        key_switch_pin=_pin(table, "key_switch_pin", where),
        panic_button_pin=_pin(table, "panic_button_pin", where),
        panic_name=str(table.get("panic_name", "guard-room-button")),
        panic_zone=str(table.get("panic_zone", "")),
        siren_relay_pin=_pin(table, "siren_relay_pin", where),
        relay_active_high=bool(table.get("relay_active_high", True)),
        pull_up=bool(table.get("pull_up", True)),
        bounce_ms=int(table.get("bounce_ms", 50)),
    )
    pins = [p for p in (config.key_switch_pin, config.panic_button_pin, config.siren_relay_pin) if p is not None]
    if len(pins) != len(set(pins)):
        raise LocalIoError(f"{where}: [local_io] two functions share pin(s) {pins}. Fix: one pin each")
    if config.panic_button_pin is not None and config.panic_zone not in zones:
        raise LocalIoError(f"{where}: [local_io] panic_zone = {config.panic_zone!r}: not a zone of the "
                           f"site. Fix: set it to one of {', '.join(zones)}")
    return config
