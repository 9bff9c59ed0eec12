"""[patrol] of the site file: tags and routes (validated here; the site loader keeps it raw).

```toml
[[patrol.tags]]
uid = 0x12D04D2              # the tag's UID as its reader sends it (Wiegand 26: facility<<16|card)
operator = "li.na"           # a [[users]] name

[[patrol.routes]]
name = "night-round"
checkpoints = ["gate-checkpoint", "teaching-checkpoint", ...]   # in the order to visit them
days = ["mon", ..., "sun"]   # days a round sequence starts on (site timezone)
first = "19:00"              # the first round starts here
every_min = 120              # then one every every_min minutes (may run past midnight)
rounds = 5                   # rounds a day (GB/T 29315: at least 5 patrols a day, 2 a shift)
window_min = 30              # every checkpoint of a round, in order, within this
```
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from controller.site.model import WEEKDAYS, Site


class PatrolConfigError(ValueError):
    """[patrol] that cannot be used; the message names the key and the fix."""


@dataclass(frozen=True)
class Route:
    name: str
    checkpoints: tuple[str, ...]
    days: tuple[str, ...]
    first: time
    every: timedelta
    rounds: int
    window: timedelta

    def rounds_of(self, day: date, tz: ZoneInfo) -> list[tuple[int, datetime, datetime]]:
        """(index, start, end) of the rounds whose sequence starts on local date day."""
        if WEEKDAYS[day.weekday()] not in self.days:
            return []
        base = datetime.combine(day, self.first, tzinfo=tz)
        return [(k, base + k * self.every, base + k * self.every + self.window)
                for k in range(self.rounds)]


@dataclass(frozen=True)
class PatrolConfig:
    routes: tuple[Route, ...] = ()
    operators: Mapping[int, str] | None = None  # tag UID -> operator name

    def operator(self, uid: int) -> str | None:
        return (self.operators or {}).get(uid)


def _fail(what: str, fix: str) -> PatrolConfigError:
    return PatrolConfigError(f"[patrol] {what}. Fix: {fix}")


def _clock(value: Any, where: str) -> time:
    if isinstance(value, time):
        return value
    try:
        hour, minute = str(value).split(":")
        return time(int(hour), int(minute))
    except ValueError:
        raise _fail(f"{where} = {value!r} is not a time of day", f'write {where} = "19:00"') from None


def _positive(route: Mapping[str, Any], key: str, where: str) -> int:
    value = route.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _fail(f"{where}.{key} = {value!r} must be a whole number >= 1", f"set {key}")
    return value


def load_patrol(site: Site) -> PatrolConfig:
    raw = dict(site.patrol)
    checkpoints = {d.name for d in site.devices if d.kind == "checkpoint"}
    users = {u.name for u in site.users}
    operators: dict[int, str] = {}
    for i, tag in enumerate(raw.get("tags", [])):
        uid, name = tag.get("uid"), tag.get("operator")
        if isinstance(uid, bool) or not isinstance(uid, int) or not 0 <= uid < 1 << 32:
            raise _fail(f"tags[{i}].uid = {uid!r} is not a tag UID", "give 0 .. 4294967295")
        if name not in users:
            raise _fail(f"tags[{i}].operator = {name!r} is not in [[users]]", "name a user")
        operators[uid] = name
    routes = []
    for i, route in enumerate(raw.get("routes", [])):
        where = f"routes[{i}]"
        names = tuple(route.get("checkpoints", ()))
        unknown = [n for n in names if n not in checkpoints]
        if not names or unknown:
            raise _fail(f"{where}.checkpoints {list(names)!r}: "
                        f"{'unknown ' + ', '.join(unknown) if unknown else 'empty'}",
                        f"list checkpoint devices ({', '.join(sorted(checkpoints)) or 'none'})")
        days = tuple(route.get("days", WEEKDAYS))
        if any(d not in WEEKDAYS for d in days):
            raise _fail(f"{where}.days = {list(days)!r}", f"use {', '.join(WEEKDAYS)}")
        routes.append(Route(
            name=str(route.get("name", f"route-{i + 1}")), checkpoints=names, days=days,
            first=_clock(route.get("first"), f"{where}.first"),
            every=timedelta(minutes=_positive(route, "every_min", where)),
            rounds=_positive(route, "rounds", where),
            window=timedelta(minutes=_positive(route, "window_min", where))))
    return PatrolConfig(routes=tuple(routes), operators=operators)
