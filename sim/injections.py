"""What `sim inject` can do: the actions, what each acts on, and the value it takes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    name: str  # the verb after `inject`
    target: str  # "device" or "bus"
    value: str  # "", "on|off", "number", or a list of words "ok|dead|saturated"
    doc: str  # one line for --help


ACTIONS = (
    Action(
        "panic",
        "device",
        "",
        "press and release a panic button (a station, or an input module's input)",
    ),
    Action("panic-reset", "device", "", "turn the reset key at a panic station"),
    Action("short-press", "device", "", "brush a panic button for 20 ms (must not alarm)"),
    Action("hold", "device", "on|off", "hold a panic button down (stuck button)"),
    Action("tamper", "device", "on|off", "open a panic station's enclosure"),
    Action("smoke", "device", "number", "obscuration to ramp to, %/m (0 clears)"),
    Action("drift", "device", "number", "smoke chamber baseline drift, counts (dirty chamber)"),
    Action("chamber", "device", "ok|dead|saturated", "smoke chamber fault"),
    Action("obstruct", "device", "on|off", "something in a gate's path: interrupts the photo-eye"),
    Action("edge", "device", "on|off", "something presses a gate's safety edge"),
    Action("edge-wiring", "device", "ok|open|short", "a gate's edge circuit wiring"),
    Action("eye-fault", "device", "on|off", "a gate's photo-eye stuck at clear (fails its test)"),
    Action("loop", "device", "on|off", "a vehicle on a gate's induction loop"),
    Action("key", "device", "on|off", "the guard's key override at a gate"),
    Action("button-open", "device", "on|off", "a gate's local open button"),
    Action("button-close", "device", "on|off", "a gate's local close button"),
    Action("load", "device", "on|off", "a load over 40 kg on top of a bollard"),
    Action("efo", "device", "on|off", "a bollard's hard-wired EFO input"),
    Action(
        "position", "device", "number", "place a gate leaf or a bollard: 0 closed/down .. 1 open/up"
    ),
    Action("door", "device", "open|closed", "a door's position switch: propped open, or closed"),
    Action("door-force", "device", "", "a door forced open against its lock"),
    Action("rex", "device", "", "a person inside presses request-to-exit and pushes the door"),
    Action("button-unlock", "device", "", "press a door's local unlock button"),
    Action("intrusion", "device", "on|off", "trip an intrusion zone's detector (--input N, 1-based)"),
    Action("loop-wiring", "device", "ok|open|short", "cut or short an intrusion loop (--input N)"),
    Action("tag", "device", "uid", "a guard presents a tag at a patrol checkpoint (UID: decimal or 0x hex)"),
    Action("reader-tamper", "device", "on|off", "open a patrol checkpoint reader's enclosure"),
    Action(
        "power",
        "device",
        "on|off",
        "a device's power (off = process killed, plant keeps its physics)",
    ),
    Action("cut", "device", "on|off", "cut a device's drop off the bus (on = disconnected)"),
    Action("noise", "bus", "number", "fraction of line time taken by noise bursts (0 clears)"),
    Action("corrupt", "bus", "number", "probability a character gets a bit flipped (0 clears)"),
    Action("drop", "bus", "number", "probability a character is lost (0 clears)"),
    Action("latency", "bus", "number", "added delivery latency, ms (0 clears)"),
    Action("burst", "bus", "number", "one noise burst of this many characters now"),
)

BY_NAME = {action.name: action for action in ACTIONS}
