"""The site, as loaded from its TOML file: frozen dataclasses, validated by controller.site.load.

Every object that came from the file keeps `line`, the line it was declared on, so later checks
(the runtime's, the simulator's) can point at the file too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from controller.site.operations import WEEKDAYS, OperationsConfig

# Roles we build firmware for (protocols/registers.py ROLE_NAMES); a third-party device has a
# profile instead, whose `kind` (protocols/profiles/*.toml) says what the host makes of it.
OUR_ROLES = ("gate", "bollard", "panic", "smoke", "door", "checkpoint", "intrusion")
USER_ROLES = ("guard", "supervisor", "technician", "installer")



def _empty() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Bus:
    name: str  # unique among buses and gateways; devices name it in `bus`
    port: str  # serial device (/dev/ttyUSB0) or socket://host:port, used when not simulated
    baud: int  # a standard rate (controller.site.load.STANDARD_BAUDS)
    parity: str  # "N" | "O" | "E"
    stopbits: int  # 1 | 2
    line: int = 0


@dataclass(frozen=True)
class Gateway:
    """An RS-485-to-Ethernet gateway: devices behind it name it in their `bus` key."""

    name: str
    host: str
    port: int  # TCP port, 1..65535 (502 is the Modbus default)
    line: int = 0
    framing: str = "tcp"  # tcp: Modbus TCP (MBAP) | rtu: RTU over TCP (transparent gateway)
    baud: int = 19200  # the RS-485 line behind the gateway (timing model: controller/bus/gateway_link.py)

    @property
    def url(self) -> str:
        return f"{'tcp' if self.framing == 'tcp' else 'socket'}://{self.host}:{self.port}"


@dataclass(frozen=True)
class Zone:
    name: str
    description: str
    line: int = 0


@dataclass(frozen=True)
class DeviceInput:
    """One channel of a third-party input module, wired to a panic button (or a smoke contact)."""

    channel: int  # 0-based input number on the module
    name: str  # unique among devices and inputs: events and logs use it as the device name
    kind: str  # "panic" | "smoke"
    zone: str  # defaults to the module's zone
    line: int = 0


@dataclass(frozen=True)
class Device:
    name: str  # unique among devices and inputs
    bus: str  # a bus or gateway name
    unit: int  # Modbus unit address 1..247, unique per bus
    role: str | None  # gate|bollard|panic|smoke for our firmware; None for a profile device
    profile: str | None  # protocols/profiles/<profile>.toml for third-party equipment, else None
    kind: str  # what the host makes of it: the role, or the profile's kind (smoke|inputs)
    zone: str
    evacuation_route: bool = False  # GB 50116 §4.10.3: this gate opens on a confirmed fire
    fire_lane: bool = False  # this bollard lowers on a confirmed fire so appliances can pass
    fail_secure: bool = False  # door: fail-secure strike (else fail-safe maglock); site flag bit 2
    # firmware parameters by register name, range-checked against protocols/registers.py
    params: Mapping[str, int] = field(default_factory=_empty, hash=False)
    # simulator physics (read by sim/, ignored by the host)
    plant: Mapping[str, Any] = field(default_factory=_empty, hash=False)
    inputs: tuple[DeviceInput, ...] = ()  # channels of an input module
    line: int = 0

    @property
    def is_barrier(self) -> bool:
        return self.kind in ("gate", "bollard")


@dataclass(frozen=True)
class PolicyParams:
    """[policy]: the rules the policy engine applies (controller/policy/)."""

    # one_detector | two_detectors | guard_confirm: what confirms a fire when no lockdown is in force
    fire_in_normal: str = "one_detector"
    # two_detectors | guard_confirm | one_detector: the same during a lockdown (GB 50116 §4.1.6).
    # A guard's confirmation always confirms a fire, whatever the rule.
    fire_during_lockdown: str = "two_detectors"
    # supervisor_or_two_guards | supervisor | two_guards: who may clear a lockdown or a fire
    clear_rule: str = "supervisor_or_two_guards"
    two_person_window_s: float = 120.0  # the second guard must confirm a clear within this
    panic_scope: str = "campus"  # campus | zone: what a panic press locks down
    trouble_after_s: float = 10.0  # a device fault this long -> trouble (NFPA 72 allows 200 s);
    # offline has its own evidence rule (controller/bus/health.py)
    heartbeat_s: float = 5.0  # host heartbeat to every device
    comm_loss_timeout_s: int = 30  # device-side comm-loss action after this (common register)
    smoke_poll_s: float = 2.0  # smoke lane period (controller/bus/lanes.py); NFPA 72's 10 s budget
    barrier_idle_poll_s: float = 2.0  # an idle gate/bollard is read this often (moving: 0.2 s)
    line: int = 0


@dataclass(frozen=True)
class Schedule:
    """An arrival or dismissal window, in the site's timezone, on `days`, never on a holiday."""

    name: str
    days: tuple[str, ...]  # subset of WEEKDAYS
    start: time
    end: time  # after start (windows do not cross midnight)
    open: tuple[str, ...] = ()  # gates opened at start, closed at end
    raise_: tuple[str, ...] = ()  # bollards raised at start, lowered at end (TOML key `raise`)
    line: int = 0
    unlock: tuple[str, ...] = ()  # doors held unlocked in the window, locked at its end
    arm: tuple[str, ...] = ()  # intrusion zones armed in the window (at night), disarmed at its end

    def active_at(self, local: datetime, holidays: frozenset[date]) -> bool:
        """True when the local wall-clock time `local` lies in this window."""
        # a window that only arms intrusion zones keeps the campus guarded on holidays too
        holiday = local.date() in holidays and not (self.arm and not (self.open or self.raise_
                                                                      or self.unlock))
        if holiday or WEEKDAYS[local.weekday()] not in self.days:
            return False
        return self.start <= local.time().replace(tzinfo=None) < self.end


@dataclass(frozen=True)
class User:
    name: str
    role: str  # guard | supervisor | technician | installer
    line: int = 0


@dataclass(frozen=True)
class AlarmReceiver:
    """[[alarm.receivers]]: an alarm receiving centre (SIA DC-09); per group, in order: primary,
    backups."""

    host: str
    port: int
    protocol: str  # tcp | udp
    account: str  # 3..16 hex characters
    key: str = ""  # 16, 24 or 32 characters for AES-128/192/256; empty = plain
    receiver: str = ""  # optional R number (hex)
    prefix: str = "0"  # L number (hex)
    line: int = 0
    format: str = "ADM-CID"  # DC-09 payload: ADM-CID (Contact ID) or SIA-DCS
    group: str = "police"  # receiver group: every alarm goes to every group (police, education...)


@dataclass(frozen=True)
class AlarmConfig:
    receivers: tuple[AlarmReceiver, ...] = ()
    supervision_s: float | None = None  # NULL link-test interval; None = the transmitter's default
    ack_timeout_s: float | None = None  # None = the transmitter's default
    retries: int | None = None  # None = the transmitter's default
    line: int = 0


@dataclass(frozen=True)
class ControlConfig:
    """[control]: the guard-room control socket."""

    group: str | None = None  # OS group given the socket (0660): its members may act
    line: int = 0


@dataclass(frozen=True)
class ConsoleSettings:
    """[console] (controller/site/console_section.py): the guard console served by the host."""

    listen: str = "127.0.0.1:8080"  # host:port; port 0 picks a free port (written to console.json)
    locale: str = "zh-CN"  # zh-CN | en: the page's default language
    cert: str = ""  # TLS certificate (PEM), resolved path; "" = plain HTTP
    key: str = ""  # TLS private key (PEM), resolved path
    allow_insecure_remote: bool = False  # a non-local listen without TLS only when this is true
    line: int = 0


@dataclass(frozen=True)
class Site:
    path: Path  # the file it was loaded from
    name: str
    timezone: str  # IANA name, e.g. Asia/Shanghai
    buses: tuple[Bus, ...]
    zones: tuple[Zone, ...]
    devices: tuple[Device, ...]
    policy: PolicyParams = field(default_factory=PolicyParams)
    schedules: tuple[Schedule, ...] = ()
    holidays: frozenset[date] = frozenset()
    users: tuple[User, ...] = ()
    alarm: AlarmConfig = field(default_factory=AlarmConfig)
    gateways: tuple[Gateway, ...] = ()
    # [local_io] as written (pins of the key switch, siren relay, host panic button); its schema
    # belongs to controller/local_io/, which validates it.
    local_io: Mapping[str, Any] = field(default_factory=_empty, hash=False)
    # [operations]: drills per term, duty windows, vacations, hazard and gate-log rules
    operations: OperationsConfig = field(default_factory=OperationsConfig)
    control: ControlConfig = field(default_factory=ControlConfig)
    # [patrol] as written (tags, routes); validated by controller/patrol/config.py
    patrol: Mapping[str, Any] = field(default_factory=_empty, hash=False)
    uplink: Any = None  # [uplink] (controller/site/uplink_section.py UplinkSettings) or None
    console: ConsoleSettings = field(default_factory=ConsoleSettings)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def device(self, name: str) -> Device:
        """The device called name; KeyError naming the known devices when there is none."""
        for dev in self.devices:
            if dev.name == name:
                return dev
        raise KeyError(f"no device {name!r} in {self.path}")

    def bus(self, name: str) -> Bus:
        for bus in self.buses:
            if bus.name == name:
                return bus
        raise KeyError(f"no bus {name!r} in {self.path}")

    def user(self, name: str) -> User | None:
        """The user called name, or None for someone the site does not list."""
        for user in self.users:
            if user.name == name:
                return user
        return None

    def zone_names(self) -> tuple[str, ...]:
        return tuple(z.name for z in self.zones)

    def zone_of(self, name: str) -> str | None:
        """Zone of a device or of an input-module channel (its `name`); None when unknown."""
        for dev in self.devices:
            if dev.name == name:
                return dev.zone
            for point in dev.inputs:
                if point.name == name:
                    return point.zone
        return None

    def devices_of_kind(self, kind: str) -> tuple[Device, ...]:
        return tuple(d for d in self.devices if d.kind == kind)

    def devices_on(self, bus: str) -> tuple[Device, ...]:
        return tuple(d for d in self.devices if d.bus == bus)
