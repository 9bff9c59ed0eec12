"""The test rig: a Raspberry Pi whose gpiozero pins are wired to a real board's terminals.

Device inputs ("di") are driven by rig outputs (through an optocoupler or relay), analogue device
inputs ("ai": edge loop, smoke sensor) by a PWM pin behind an RC filter (duty = counts / 4095),
device outputs ("do") are read by rig inputs, and "power" is a relay in the device's supply.
"""

from __future__ import annotations

from gpiozero import DigitalInputDevice, DigitalOutputDevice, PWMOutputDevice

from hil.targets.hil_site import WireRun

_ADC_FULL_SCALE = 4095  # counts of the boards' 12-bit ADC


class RigWiringError(KeyError):
    """A terminal the scenario needs is not wired on this rig."""


class Rig:
    def __init__(self, wiring: tuple[WireRun, ...], pin_factory=None):
        self._runs = {(w.device, w.terminal): w for w in wiring}
        self._pins: dict[tuple[str, str], object] = {}
        for key, run in self._runs.items():
            if run.kind == "do":
                pin = DigitalInputDevice(run.pin, pull_up=None, active_state=run.active_high, pin_factory=pin_factory)
            elif run.kind == "ai":
                pin = PWMOutputDevice(run.pin, active_high=run.active_high, frequency=1000, pin_factory=pin_factory)
            else:  # "di" and "power": the rig drives them
                pin = DigitalOutputDevice(run.pin, active_high=run.active_high, initial_value=run.kind == "power", pin_factory=pin_factory)
            self._pins[key] = pin

    def wired(self, device: str, terminal: str) -> bool:
        return (device, terminal) in self._pins

    def _pin(self, device: str, terminal: str):
        try:
            return self._pins[(device, terminal)]
        except KeyError:
            raise RigWiringError(
                "%s.%s is not wired on this rig. Fix: add a [[wiring]] entry for it to the HIL site file" % (device, terminal)
            ) from None

    def drive(self, device: str, terminal: str, value: int) -> None:
        """Set a device input (digital 0/1, analogue in ADC counts) or its power (0/1)."""
        pin = self._pin(device, terminal)
        if isinstance(pin, PWMOutputDevice):
            pin.value = min(max(value, 0), _ADC_FULL_SCALE) / _ADC_FULL_SCALE
        elif isinstance(pin, DigitalOutputDevice):
            pin.value = 1 if value else 0
        else:
            raise RigWiringError("%s.%s is a device output: the rig reads it, it cannot drive it" % (device, terminal))

    def read(self, device: str, terminal: str) -> int:
        pin = self._pin(device, terminal)
        return int(bool(pin.value))

    def outputs(self, device: str) -> dict[str, int]:
        return {t: self.read(d, t) for (d, t), run in self._runs.items() if d == device and run.kind == "do"}

    def close(self) -> None:
        for pin in self._pins.values():
            pin.close()
        self._pins.clear()
