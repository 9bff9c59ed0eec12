"""[operations] of a site file: what the campus-safety programme asks of this school, in numbers.

    [operations]
    school_type = "school"            # school | kindergarten (drills monthly | quarterly)
    hazard_owner = "zhang.wei"        # who owns hazards the host registers by itself
    hazard_days = 7                   # deadline of an automatic hazard entry, in days
    gate_log_retention_days = 90      # visitor and vehicle records are deleted after this
    gate_open_alert_min = 10          # a gate open outside its schedule window this long: alert
    duty_grace_s = 60                 # a staffed window with nobody signed on this long: trouble
    selftest_days = 30                # every panic station and smoke detector tested this often

    [[operations.terms]]
    name = "2026-autumn"
    from = "2026-09-01"
    to = "2027-01-20"
    drills = { fire = 2, lockdown = 1, evacuation = 1 }   # targets per kind for the term
    whole_school_months = [11]        # months that need a whole-school drill (GB/T 29315: May, Nov)

    [[operations.duty]]               # a staffed window (the gatehouse, leaders on duty ...)
    name = "gatehouse-day"
    start = "07:00"
    end = "19:00"                     # may cross midnight ("19:00" -> "07:00")
    days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    min_staff = 1
    on_holidays = true                # boarding schools: staffed on holidays too

    [[operations.vacations]]          # ranges, not single dates (the [holidays] dates also count)
    name = "winter"
    from = "2027-01-21"
    to = "2027-02-20"

    [[operations.assembly_points]]    # where classes gather in a drill, confirmed by a tag read
    name = "sports-field"
    checkpoint = "field-checkpoint"   # a checkpoint device of the site
    drills = ["fire", "evacuation"]   # the drills that gather here (this is the default)
The reader records its problems on the site's Checker: one validator, file:line and a fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from controller.site.checker import Checker

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = datetime.weekday()
DRILL_KINDS = ("fire", "lockdown", "evacuation")
SCHOOL_TYPES = ("school", "kindergarten")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Term:
    name: str
    start: date  # first day of the term (site-local)
    end: date  # last day, inclusive
    drill_targets: tuple[tuple[str, int], ...]  # (kind, count) for each of DRILL_KINDS
    whole_school_months: tuple[int, ...] = ()
    line: int = 0

    def target(self, kind: str) -> int:
        return dict(self.drill_targets).get(kind, 0)


@dataclass(frozen=True)
class DutyWindow:
    """A window that must be staffed by at least min_staff signed-on operators."""

    name: str
    start: time
    end: time  # equal to or before start: the window ends the next day
    days: tuple[str, ...]  # the day the window STARTS on
    min_staff: int = 1
    on_holidays: bool = True
    line: int = 0

    def occurrences(self, first: date, last: date, off: OffDays) -> list[tuple[datetime, datetime]]:
        """Naive site-local (start, end) of every occurrence starting first..last, inclusive."""
        out = []
        day = first
        while day <= last:
            if WEEKDAYS[day.weekday()] in self.days and (self.on_holidays or not off.is_off(day)):
                begin = datetime.combine(day, self.start)
                finish = datetime.combine(day, self.end)
                if finish <= begin:
                    finish += timedelta(days=1)
                out.append((begin, finish))
            day += timedelta(days=1)
        return out


@dataclass(frozen=True)
class Vacation:
    name: str
    start: date
    end: date  # inclusive
    line: int = 0


@dataclass(frozen=True)
class AssemblyPoint:
    """Where classes gather in a drill; the class teacher's tag read at its checkpoint confirms
    it (the drill record measures start -> every point confirmed)."""

    name: str
    checkpoint: str  # a checkpoint device of the site
    drills: tuple[str, ...] = ("fire", "evacuation")
    line: int = 0


@dataclass(frozen=True)
class OffDays:
    """Holidays (single dates) and vacations (ranges): days with no school."""

    holidays: frozenset[date] = frozenset()
    vacations: tuple[Vacation, ...] = ()

    def is_off(self, day: date) -> bool:
        return day in self.holidays or any(v.start <= day <= v.end for v in self.vacations)


@dataclass(frozen=True)
class SelfTestWindow:
    """When the host may run smoke detectors' self-tests by itself (their sounders sound): a
    site-chosen time when the rooms are empty, e.g. Saturday morning."""

    start: time
    end: time  # after start, the same day
    days: tuple[str, ...]
    line: int = 0

    def open_at(self, local: datetime) -> bool:
        return WEEKDAYS[local.weekday()] in self.days and self.start <= local.time() < self.end


@dataclass(frozen=True)
class OperationsConfig:
    school_type: str = "school"  # school | kindergarten
    hazard_owner: str = ""  # owner of hazards the host registers by itself ("" = unassigned)
    hazard_days: int = 7  # deadline of an automatic hazard entry
    gate_log_retention_days: int = 90  # personal data in the gate log is deleted after this
    gate_open_alert_min: float = 10.0  # gate open outside its windows this long -> alert
    duty_grace_s: float = 60.0  # staffed window with nobody on duty this long -> trouble
    selftest_days: int = 30  # each panic station and smoke detector self-tested this often
    smoke_selftest: SelfTestWindow | None = None  # None: smoke self-tests only by hand
    terms: tuple[Term, ...] = ()
    duty: tuple[DutyWindow, ...] = ()
    vacations: tuple[Vacation, ...] = field(default=())
    assembly_points: tuple[AssemblyPoint, ...] = ()
    line: int = 0

    def assembly_points_for(self, kind: str) -> tuple[AssemblyPoint, ...]:
        return tuple(p for p in self.assembly_points if kind in p.drills)

    def term(self, name: str) -> Term:
        for term in self.terms:
            if term.name == name:
                return term
        known = ", ".join(t.name for t in self.terms) or "(none: add [[operations.terms]])"
        raise KeyError(f"no term {name!r} in the site's [[operations.terms]]: use one of {known}")


def _date(check: Checker, table: dict, path: tuple, key: str) -> date | None:
    value = table.get(key)
    if value is None:
        check.problem(path, f"missing key '{key}'", f'add {key} = "YYYY-MM-DD"')
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        check.bad_value(path + (key,), value, "not a date", f'write {key} = "YYYY-MM-DD"')
        return None


def _hhmm(check: Checker, table: dict, path: tuple, key: str) -> time | None:
    value = check.get(table, path, key, str, hint='"07:00"')
    if value is None:
        return None
    found = _HHMM.match(value)
    if not found:
        check.bad_value(path + (key,), value, "not a time of day", f'write {key} = "HH:MM"')
        return None
    return time(int(found.group(1)), int(found.group(2)))


def _terms(check: Checker, table: dict) -> list[Term]:
    terms = []
    for path, raw in check.tables(table, "terms"):
        path = ("operations",) + path
        check.unknown_keys(raw, path, ("name", "from", "to", "drills", "whole_school_months"))
        name = check.get(raw, path, "name", str)
        start, end = _date(check, raw, path, "from"), _date(check, raw, path, "to")
        if start and end and end < start:
            check.bad_value(path + ("to",), str(end), "is before `from`",
                            "give the term's last day after its first")
        drills = check.get(raw, path, "drills", dict, default={})
        targets = []
        for kind, count in drills.items():
            if kind not in DRILL_KINDS:
                check.bad_value(path + ("drills", kind), kind, "not a drill kind",
                                f"use {', '.join(DRILL_KINDS)}")
            elif not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= 50:
                check.bad_value(path + ("drills", kind), count, "must be a count 0..50",
                                f"write {kind} = 2")
            else:
                targets.append((kind, count))
        months = check.get(raw, path, "whole_school_months", list, default=[])
        good_months = [m for m in months if isinstance(m, int) and 1 <= m <= 12]
        if len(good_months) != len(months):
            check.bad_value(path + ("whole_school_months",), months, "must be months 1..12",
                            "write whole_school_months = [5, 11]")
        if name and start and end:
            terms.append(Term(name, start, end, tuple(targets), tuple(good_months),
                              check.line(path)))
    check.unique([(("operations", "terms", i, "name"), t.name) for i, t in enumerate(terms)],
                 "term name", "give every term its own name")
    return terms


def _duty(check: Checker, table: dict) -> list[DutyWindow]:
    windows = []
    for path, raw in check.tables(table, "duty"):
        path = ("operations",) + path
        check.unknown_keys(raw, path, ("name", "start", "end", "days", "min_staff", "on_holidays"))
        name = check.get(raw, path, "name", str)
        start, end = _hhmm(check, raw, path, "start"), _hhmm(check, raw, path, "end")
        days = check.get(raw, path, "days", list, default=list(WEEKDAYS))
        bad = [d for d in days if d not in WEEKDAYS]
        if bad:
            check.bad_value(path + ("days",), bad, "not weekday names",
                            f"use {', '.join(WEEKDAYS)}")
        staff = check.get_range(raw, path, "min_staff", int, 1, 20, default=1)
        holidays = check.get(raw, path, "on_holidays", bool, default=True)
        if name and start and end and not bad:
            windows.append(DutyWindow(name, start, end, tuple(days), staff, holidays,
                                      check.line(path)))
    return windows


def _smoke_selftest(check: Checker, table: dict) -> SelfTestWindow | None:
    if "smoke_selftest" not in table:
        return None
    raw = check.table(table, ("operations",), "smoke_selftest")
    path = ("operations", "smoke_selftest")
    check.unknown_keys(raw, path, ("start", "end", "days"))
    start, end = _hhmm(check, raw, path, "start"), _hhmm(check, raw, path, "end")
    days = check.get(raw, path, "days", list, default=list(WEEKDAYS))
    bad = [d for d in days if d not in WEEKDAYS]
    if bad:
        check.bad_value(path + ("days",), bad, "not weekday names", f"use {', '.join(WEEKDAYS)}")
    if start and end and end <= start:
        check.bad_value(path + ("end",), end.strftime("%H:%M"), "is not after `start`",
                        "give a window inside one day, e.g. start = \"09:00\", end = \"11:00\"")
        return None
    if not (start and end) or bad:
        return None
    return SelfTestWindow(start, end, tuple(days), check.line(path))


def _vacations(check: Checker, table: dict) -> list[Vacation]:
    out = []
    for path, raw in check.tables(table, "vacations"):
        path = ("operations",) + path
        check.unknown_keys(raw, path, ("name", "from", "to"))
        name = check.get(raw, path, "name", str, default="vacation")
        start, end = _date(check, raw, path, "from"), _date(check, raw, path, "to")
        if start and end:
            if end < start:
                check.bad_value(path + ("to",), str(end), "is before `from`",
                                "give the vacation's last day after its first")
            else:
                out.append(Vacation(name, start, end, check.line(path)))
    return out


def _assembly_points(check: Checker, table: dict,
                     checkpoints: Iterable[str]) -> list[AssemblyPoint]:
    known = sorted(checkpoints)
    out, names = [], []
    for path, raw in check.tables(table, "assembly_points"):
        path = ("operations",) + path
        check.unknown_keys(raw, path, ("name", "checkpoint", "drills"))
        name = check.get(raw, path, "name", str, hint='"sports-field"')
        names.append((path + ("name",), name))
        device = check.get(raw, path, "checkpoint", str, hint='"field-checkpoint"')
        if device is not None and device not in known:
            check.bad_value(path + ("checkpoint",), device, "is not a checkpoint device of the site",
                            f"name one of {', '.join(known)}" if known else
                            'add a [[devices]] with role = "checkpoint" where classes gather')
            device = None
        drills = check.get(raw, path, "drills", list, default=["fire", "evacuation"])
        bad = [k for k in drills if k not in DRILL_KINDS]
        if bad or not drills:
            check.bad_value(path + ("drills",), drills, "must list drill kinds",
                            f'use {", ".join(DRILL_KINDS)}: drills = ["fire", "evacuation"]')
        if name and device and drills and not bad:
            out.append(AssemblyPoint(name, device, tuple(drills), check.line(path)))
    check.unique(names, "assembly point name", "give every assembly point its own name")
    return out


def read_operations(check: Checker, doc: dict, checkpoints: Iterable[str] = ()) -> OperationsConfig:
    """checkpoints: the names of the site's checkpoint devices (assembly points name one)."""
    if "operations" not in doc:
        return OperationsConfig()
    table = check.table(doc, (), "operations")
    path = ("operations",)
    check.unknown_keys(table, path, ("school_type", "hazard_owner", "hazard_days",
                                     "gate_log_retention_days", "gate_open_alert_min",
                                     "duty_grace_s", "selftest_days", "smoke_selftest",
                                     "terms", "duty", "vacations", "assembly_points"))
    return OperationsConfig(
        school_type=check.get_choice(table, path, "school_type", SCHOOL_TYPES, default="school"),
        hazard_owner=check.get(table, path, "hazard_owner", str, default=""),
        hazard_days=check.get_range(table, path, "hazard_days", int, 1, 365, default=7),
        gate_log_retention_days=check.get_range(table, path, "gate_log_retention_days", int,
                                                1, 3650, default=90),
        gate_open_alert_min=check.get_range(table, path, "gate_open_alert_min", float, 0.5,
                                            1440, default=10.0),
        duty_grace_s=check.get_range(table, path, "duty_grace_s", float, 5, 3600, default=60.0),
        selftest_days=check.get_range(table, path, "selftest_days", int, 1, 366, default=30),
        smoke_selftest=_smoke_selftest(check, table),
        terms=tuple(_terms(check, table)),
        duty=tuple(_duty(check, table)),
        vacations=tuple(_vacations(check, table)),
        assembly_points=tuple(_assembly_points(check, table, checkpoints)),
        line=check.line(path),
    )
