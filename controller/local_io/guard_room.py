"""The guard-room I/O on gpiozero. Contacts become policy events; the siren follows the mode.

gpiozero calls back from its own threads: callbacks only hand the event to the asyncio loop
(call_soon_threadsafe), nothing else.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from gpiozero import Button, OutputDevice

from controller.local_io.config import LocalIoConfig
from controller.policy.inputs import KeySwitchOff, KeySwitchOn, PanicPressed

EventSink = Callable[[object], None]


class GuardRoomIo:
    def __init__(self, config: LocalIoConfig, on_event: EventSink,
                 loop: asyncio.AbstractEventLoop, pin_factory=None):
        self.config = config
        self._on_event = on_event
        self._loop = loop
        bounce = config.bounce_ms / 1000 if config.bounce_ms else None
        self.key_switch = self.panic_button = self.siren = None
        if config.key_switch_pin is not None:
            self.key_switch = Button(config.key_switch_pin, pull_up=config.pull_up,
                                     bounce_time=bounce, pin_factory=pin_factory)
            self.key_switch.when_pressed = lambda: self._emit(KeySwitchOn())
            self.key_switch.when_released = lambda: self._emit(KeySwitchOff())
        if config.panic_button_pin is not None:
            self.panic_button = Button(config.panic_button_pin, pull_up=config.pull_up,
                                       bounce_time=bounce, pin_factory=pin_factory)
            self.panic_button.when_pressed = lambda: self._emit(
                PanicPressed(config.panic_name, config.panic_zone))
        if config.siren_relay_pin is not None:
            self.siren = OutputDevice(config.siren_relay_pin, active_high=config.relay_active_high,
                                      initial_value=False, pin_factory=pin_factory)

    def _emit(self, event: object) -> None:
        self._loop.call_soon_threadsafe(self._on_event, event)

    def key_switch_on(self) -> bool:
        """Current position, read at start so a switch left on before a restart still counts."""
        return bool(self.key_switch is not None and self.key_switch.is_pressed)

    def set_siren(self, on: bool) -> None:
        if self.siren is not None:
            if on:
                self.siren.on()
            else:
                self.siren.off()

    def close(self) -> None:
        for device in (self.key_switch, self.panic_button, self.siren):
            if device is not None:
                device.close()
