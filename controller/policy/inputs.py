"""The events the policy engine reacts to. The runtime turns device polls, guard commands, the key
switch and the passing of time into these and hands each one to controller.policy.step().

Who acts comes from the identity layer (controller/identity): the operator's name and role from
the operator store, how they proved it (method), from where (origin) and with which credential
(proof). The policy trusts that the identity layer authenticated them and checks only what a role
may do, and, for the two-person rule, that the two halves carry two different names AND two
different proofs. An empty user or method "unauthenticated" authorises nothing but a lockdown.
"""

from __future__ import annotations

from dataclasses import dataclass

TROUBLE_KINDS = ("offline", "fault", "tamper", "monitoring", "bus")
DRILL_KINDS = ("fire", "lockdown")


@dataclass(frozen=True)
class PanicPressed:
    """A panic station (or a panic input of a module) latched an alarm."""

    device: str
    zone: str


@dataclass(frozen=True)
class PanicReset:
    """by="key": the station reports it was reset with its key (nothing to send).
    by="host": a guard asks the host to reset the station (sends the authorised reset)."""

    device: str
    by: str  # "key" | "host"
    user: str | None = None  # who, for by="host"
    role: str | None = None
    method: str = ""  # how the actor proved who they are (controller.identity.model.METHODS)
    origin: str = ""  # from where, e.g. "control socket uid=1000 pid=4242"
    proof: str = ""  # the credential source, e.g. "uid:1000", "pin:li.na"; "" = none


@dataclass(frozen=True)
class SmokeAlarm:
    """A detector is in alarm (after its own verification time)."""

    device: str
    zone: str


@dataclass(frozen=True)
class SmokeClear:
    device: str
    zone: str


@dataclass(frozen=True)
class DeviceTrouble:
    """A device went offline, reports a fault, was tampered with, or failed its monitoring
    (UL 325 entrapment-protection monitoring). kind "bus": device is the bus name."""

    device: str
    kind: str  # one of TROUBLE_KINDS
    detail: str = ""


@dataclass(frozen=True)
class DeviceRestore:
    device: str
    kind: str  # one of TROUBLE_KINDS: the trouble that ended
    detail: str = ""


@dataclass(frozen=True)
class GuardLockdown:
    """Someone orders a lockdown of one zone, or of the campus (zone None). Never refused: an
    unidentified caller (user None), an unknown zone or an empty reason still lock down."""

    user: str | None
    role: str | None
    zone: str | None
    reason: str
    method: str = ""  # method, origin, proof: as GuardLockdown
    origin: str = ""
    proof: str = ""


@dataclass(frozen=True)
class GuardClear:
    """A request to clear a lockdown (zone or campus) and, for the campus, a fire. Needs a
    supervisor, or two different guards within policy.two_person_window_s."""

    user: str
    role: str
    zone: str | None
    reason: str
    method: str = ""  # method, origin, proof: as GuardLockdown
    origin: str = ""
    proof: str = ""


@dataclass(frozen=True)
class GuardFireConfirm:
    """A guard has seen the fire: confirms it whatever the detector rule says."""

    user: str
    role: str
    reason: str
    method: str = ""  # method, origin, proof: as GuardLockdown
    origin: str = ""
    proof: str = ""


@dataclass(frozen=True)
class KeySwitchOn:
    """The guard-room lockdown key switch was turned on: campus lockdown."""


@dataclass(frozen=True)
class KeySwitchOff:
    """Turned off. A lockdown never clears itself: this only records it."""


@dataclass(frozen=True)
class DrillStart:
    kind: str  # "fire" | "lockdown"
    user: str
    role: str
    reason: str
    method: str = ""  # method, origin, proof: as GuardLockdown
    origin: str = ""
    proof: str = ""


@dataclass(frozen=True)
class DrillEnd:
    user: str
    role: str
    reason: str
    method: str = ""  # method, origin, proof: as GuardLockdown
    origin: str = ""
    proof: str = ""


@dataclass(frozen=True)
class AlarmAcknowledged:
    """A guard acknowledged the alarms (of one device, or all of them when device is None)."""

    user: str
    role: str
    device: str | None = None
    reason: str = ""
    method: str = ""  # method, origin, proof: as GuardLockdown
    origin: str = ""
    proof: str = ""


@dataclass(frozen=True)
class Tick:
    """Time passes: schedules start and end, pending two-guard clears expire."""


PolicyEvent = (
    PanicPressed | PanicReset | SmokeAlarm | SmokeClear | DeviceTrouble | DeviceRestore
    | GuardLockdown | GuardClear | GuardFireConfirm | KeySwitchOn | KeySwitchOff
    | DrillStart | DrillEnd | AlarmAcknowledged | Tick
)
