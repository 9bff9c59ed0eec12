"""PolicyState: everything the policy remembers between events. Immutable; serialises to JSON so
the host survives kill -9 mid-lockdown (the runtime saves it after every decision and loads it on
start: EventStore.save_policy_state / load_policy_state)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from controller.site.model import Site

STATE_VERSION = 1


class PolicyStateError(ValueError):
    """Saved policy state that cannot be read back."""


@dataclass(frozen=True)
class Lockdown:
    zone: str | None  # None: the whole campus
    source: str  # "panic" | "guard" | "key_switch"
    by: str  # the panic device, the user, or "key switch"
    reason: str
    since: datetime
    method: str = ""  # how it was ordered: panic_station | key_switch | os_user | pin | session...


@dataclass(frozen=True)
class Fire:
    since: datetime
    zones: tuple[str, ...]  # zones of the detectors that confirmed it; () = confirmed by a guard
    by: str  # "detectors a, b" or the guard who confirmed
    reason: str


@dataclass(frozen=True)
class Drill:
    kind: str  # "fire" | "lockdown"
    user: str
    reason: str
    since: datetime


@dataclass(frozen=True)
class ClearRequest:
    """The first guard's half of a two-person clear."""

    user: str
    zone: str | None
    reason: str
    at: datetime
    proof: str = ""  # the first guard's credential source: the second must bring another


@dataclass(frozen=True)
class Point:
    """A device (or input) in some condition: a latched panic, a detector in alarm."""

    device: str
    zone: str | None


@dataclass(frozen=True)
class Trouble:
    device: str
    kind: str  # offline | fault | tamper | monitoring | bus
    detail: str


@dataclass(frozen=True)
class PolicyState:
    lockdowns: tuple[Lockdown, ...] = ()  # at most one per zone, plus at most one campus-wide
    fire: Fire | None = None
    drill: Drill | None = None
    clear_request: ClearRequest | None = None
    panics: tuple[Point, ...] = ()  # latched panic stations, until reset
    smoke: tuple[Point, ...] = ()  # detectors in alarm now
    troubles: tuple[Trouble, ...] = ()
    schedules_applied: tuple[str, ...] = ()  # windows whose devices were actuated
    schedules_suppressed: tuple[str, ...] = ()  # windows overridden by a lockdown, fire or drill
    unacknowledged: tuple[str, ...] = ()  # devices whose alarm no guard has acknowledged yet
    key_switch: bool = False

    # ------------------------------------------------------------ status view
    @property
    def campus_lockdown(self) -> Lockdown | None:
        for ld in self.lockdowns:
            if ld.zone is None:
                return ld
        return None

    def zone_locked(self, zone: str | None) -> bool:
        """True when a real lockdown covers zone (the campus, or that zone)."""
        return any(ld.zone is None or ld.zone == zone for ld in self.lockdowns)

    @property
    def mode(self) -> str:
        """normal | lockdown | fire | drill (real conditions win over a drill, fire over lockdown)."""
        if self.fire is not None:
            return "fire"
        if self.lockdowns:
            return "lockdown"
        if self.drill is not None:
            return "drill"
        return "normal"

    def zones(self, site: Site) -> dict[str, str]:
        """{zone: normal|lockdown|fire} for every zone of the site."""
        out = {}
        for zone in site.zone_names():
            if self.fire is not None and (not self.fire.zones or zone in self.fire.zones):
                out[zone] = "fire"
            elif self.drill is not None and self.drill.kind == "fire":
                out[zone] = "fire"
            elif self.zone_locked(zone) or (self.drill is not None and self.drill.kind == "lockdown"):
                out[zone] = "lockdown"
            else:
                out[zone] = "normal"
        return out

    def with_(self, **changes: Any) -> PolicyState:
        return replace(self, **changes)

    # ------------------------------------------------------------ persistence
    def to_json(self) -> str:
        return json.dumps({"version": STATE_VERSION, "state": asdict(self)}, default=_encode,
                          sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> PolicyState:
        try:
            doc = json.loads(text)
            if doc.get("version") != STATE_VERSION:
                raise PolicyStateError(
                    f"saved policy state has version {doc.get('version')!r}, this host reads "
                    f"{STATE_VERSION}")
            raw = doc["state"]
            return cls(
                lockdowns=tuple(Lockdown(**_dates(d, "since")) for d in raw["lockdowns"]),
                fire=_opt(raw["fire"], lambda d: Fire(**_dates(d, "since", zones=tuple))),
                drill=_opt(raw["drill"], lambda d: Drill(**_dates(d, "since"))),
                clear_request=_opt(raw["clear_request"],
                                   lambda d: ClearRequest(**_dates(d, "at"))),
                panics=tuple(Point(**d) for d in raw["panics"]),
                smoke=tuple(Point(**d) for d in raw["smoke"]),
                troubles=tuple(Trouble(**d) for d in raw["troubles"]),
                schedules_applied=tuple(raw["schedules_applied"]),
                schedules_suppressed=tuple(raw["schedules_suppressed"]),
                unacknowledged=tuple(raw["unacknowledged"]),
                key_switch=bool(raw["key_switch"]),
            )
        except PolicyStateError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise PolicyStateError(
                f"saved policy state is unreadable ({exc!r}). Fix: start the host with a fresh "
                f"state only after checking the campus by hand (a lockdown may have been in force)"
            ) from exc


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _dates(d: dict, *names: str, zones: type | None = None) -> dict:
    out = dict(d)
    for name in names:
        stamp = datetime.fromisoformat(out[name])
        if stamp.tzinfo is None:
            raise PolicyStateError(f"saved time {out[name]!r} has no timezone")
        out[name] = stamp
    if zones is not None:
        out["zones"] = zones(out["zones"])
    return out


def _opt(value: Any, make: Any) -> Any:
    return None if value is None else make(value)
