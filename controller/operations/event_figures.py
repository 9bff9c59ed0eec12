"""Figures the term report takes from the event log: drills with their measured times, alarms
with their response times, patrol rounds, self-tests and device availability per bus.

Everything here is a pure function of a list of EventRecords (oldest first) and the site, so the
report's numbers can be checked against the events that produced them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from controller.operations.selftest_plan import must_test
from controller.site.model import Site
from controller.site.operations import DRILL_KINDS, DutyWindow, OffDays, Term
from controller.store.record import EventRecord, format_ts
from protocols import events as E

# Patrol and self-test kinds: written by the checkpoint role's patrol tracker and the self-test
# scheduler. Read by name so the report works on logs from hosts without those features. A late
# checkpoint is a tag read the tracker counted in no open round (data "late": after its window,
# out of order, or outside every round): controller/patrol/tracker.py logs it as a patrol.read.
PATROL_ROUND_DONE = "patrol.round_complete"
PATROL_MISSED = "patrol.missed"
PATROL_READ = "patrol.read"
SELFTEST_KINDS = ("selftest.pass", "selftest.fail")
SECURED_STATES = ("closed", "locked", "up")  # a barrier or door secured against entry
EGRESS_STATES = ("open", "down", "unlocked")  # an evacuation route open


def _ms(a: datetime, b: datetime) -> float:
    return round((b - a).total_seconds() * 1000, 1)


def _first_confirmations(events: list[EventRecord], start: datetime, end: datetime | None,
                         names: set[str], states: tuple[str, ...]) -> dict[str, datetime]:
    """First physical confirmation into one of `states` per device in [start, end]."""
    out: dict[str, datetime] = {}
    for e in events:
        if e.ts < start or (end is not None and e.ts > end) or e.device not in names:
            continue
        state = e.data.get("state") if e.kind == E.COMMAND_CONFIRMED else \
            e.data.get("state") if e.kind == E.DEVICE_STATE else None
        if state in states and e.device not in out:
            out[e.device] = e.ts
    return out


def _timed(start: datetime, seen: dict[str, datetime], names: set[str]) -> dict:
    if not names:
        return {"ms": None, "devices": 0, "confirmed": 0, "note": "none defined in the site"}
    worst = max(seen.values()) if seen else None
    return {"ms": _ms(start, worst) if worst and len(seen) == len(names) else None,
            "devices": len(names), "confirmed": len(seen),
            "missing": sorted(names - set(seen))}


def _assembly(events: list[EventRecord], start: datetime, end: datetime | None, kind: str,
              site: Site) -> dict:
    """Start -> the last assembly point's first tag read at its checkpoint during the drill."""
    points = site.operations.assembly_points_for(kind)
    if not points:
        note = (f"no assembly point of the site is for {kind} drills"
                if site.operations.assembly_points else "no assembly points defined in the site")
        return {"ms": None, "confirmed": 0, "of": 0, "note": note}
    first: dict[str, datetime] = {}
    for e in events:
        if e.kind != PATROL_READ or e.ts < start or (end is not None and e.ts > end):
            continue
        for point in points:
            if point.checkpoint == e.device and point.name not in first:
                first[point.name] = e.ts
    out = {"ms": _ms(start, max(first.values())) if len(first) == len(points) else None,
           "confirmed": len(first), "of": len(points),
           "points": [{"name": p.name, "checkpoint": p.checkpoint,
                       "ms": _ms(start, first[p.name]) if p.name in first else None}
                      for p in points]}
    if len(first) < len(points):
        out["note"] = "not all assembly points confirmed"
        out["missing"] = [p.name for p in points if p.name not in first]
    return out


def drill_records(events: list[EventRecord], site: Site) -> list[dict]:
    """One record per drill: kind, who started/ended it, and its measured times."""
    egress = {d.name for d in site.devices if d.evacuation_route or d.fire_lane}
    secured = {d.name for d in site.devices if d.is_barrier or d.role == "door"}
    records = []
    current = None
    for e in events:
        if e.kind == E.DRILL_START:
            current = {"kind": e.data.get("kind") or "fire", "start": e, "end": None}
        elif e.kind == E.DRILL_END and current is not None:
            current["end"] = e
            records.append(current)
            current = None
    if current is not None:
        records.append(current)
    out = []
    for r in records:
        start, end = r["start"].ts, (r["end"].ts if r["end"] else None)
        kind = r["kind"]
        item = {"kind": kind, "started_at": format_ts(start), "started_by": r["start"].user,
                "reason": r["start"].reason or r["start"].data.get("reason"),
                "ended_at": format_ts(end) if end else None,
                "ended_by": r["end"].user if r["end"] else None,
                "aborted": bool(r["end"] and r["end"].data.get("aborted")),
                "duration_s": round((end - start).total_seconds(), 1) if end else None}
        if kind == "lockdown":
            item["secured"] = _timed(start, _first_confirmations(
                events, start, end, secured, SECURED_STATES), secured)
        else:
            item["egress_open"] = _timed(start, _first_confirmations(
                events, start, end, egress, EGRESS_STATES), egress)
        item["assembly_points"] = _assembly(events, start, end, kind, site)
        out.append(item)
    return out


def _cadence(done: list[dict], term: Term | None, school_type: str) -> dict:
    """Schools drill monthly, kindergartens quarterly: the term's periods with no drill."""
    if term is None:
        return {"every": None, "periods": [], "missing": []}
    months = []
    y, m = term.start.year, term.start.month
    while (y, m) <= (term.end.year, term.end.month):
        months.append(f"{y}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    drilled = {r["started_at"][:7] for r in done}
    if school_type == "kindergarten":
        periods = [months[i:i + 3] for i in range(0, len(months), 3)]
        every = "quarter"
    else:
        periods = [[month] for month in months]
        every = "month"
    missing = [p[0] if len(p) == 1 else f"{p[0]}..{p[-1]}" for p in periods
               if not drilled.intersection(p)]
    return {"every": every, "periods": len(periods), "missing": missing}


def drill_figures(records: list[dict], term: Term | None, school_type: str = "school") -> dict:
    done = [r for r in records if not r["aborted"]]
    out = {}
    for kind in DRILL_KINDS:
        mine = [r for r in done if r["kind"] == kind]
        target = term.target(kind) if term else None
        out[kind] = {"count": len(mine), "target": target,
                     "met": None if target is None else len(mine) >= target}
    months = sorted({int(r["started_at"][5:7]) for r in done})
    required = list(term.whole_school_months) if term else []
    out["whole_school_months"] = {"required": required, "drilled": months,
                                  "missing": [m for m in required if m not in months]}
    out["cadence"] = _cadence(done, term, school_type)
    out["aborted"] = len(records) - len(done)
    out["records"] = records
    return out


def alarm_list(events: list[EventRecord]) -> list[dict]:
    """Every real alarm with its response: press -> lockdown set, -> command frame, -> reset."""
    out = []
    real = [e for e in events if not e.drill]
    for i, e in enumerate(real):
        if e.kind not in (E.PANIC_ALARM, E.SMOKE_ALARM, E.FIRE_CONFIRMED, "intrusion.alarm",
                          "door.forced"):
            continue
        item = {"ts": format_ts(e.ts), "kind": e.kind, "device": e.device, "zone": e.zone}
        later = real[i + 1:]
        if e.kind == E.PANIC_ALARM:
            lock = next((x for x in later if x.kind == E.LOCKDOWN_SET), None)
            sent = next((x for x in later if x.kind == E.COMMAND_SENT
                         and x.data.get("trigger") == E.PANIC_ALARM), None)
            reset = next((x for x in later if x.kind == E.PANIC_RESET and x.device == e.device),
                         None)
            item["to_lockdown_ms"] = _ms(e.ts, lock.ts) if lock else None
            item["detected_to_frame_ms"] = sent.data.get("t0_to_t1_ms") if sent else None
            item["reset_at"] = format_ts(reset.ts) if reset else None
        out.append(item)
    return out


def patrol_figures(events: list[EventRecord], required: int | None, pending: int = 0) -> dict:
    """Rounds done against those required; pending ones (window still open, or still to come)
    are not judged yet, so the completion rate is over the rounds already due."""
    done = [e for e in events if e.kind == PATROL_ROUND_DONE]
    missed = [e for e in events if e.kind == PATROL_MISSED]
    late = [e for e in events if e.kind == PATROL_READ and e.data.get("late")]
    judged = None if required is None else required - pending
    return {"rounds_done": len(done), "rounds_required": required, "rounds_pending": pending,
            "completion_pct": _rate(len(done), judged) if judged else None,
            "missed_checkpoints": len(missed), "late_checkpoints": len(late),
            "missed": [{"ts": format_ts(e.ts), "device": e.device, "route": e.data.get("route"),
                        "round": e.data.get("round"), "message": e.message} for e in missed],
            "late": [{"ts": format_ts(e.ts), "device": e.device,
                      "operator": e.data.get("operator"), "message": e.message} for e in late]}


DAILY_RATE_GOAL_PCT = 90  # the programme: daily inspection (patrol) rate >= 90 %
SHIFT_ROUNDS = 2  # the programme: patrol rounds at least twice a shift


def _round_key(e: EventRecord, routes: dict, tz: ZoneInfo) -> tuple[str, date, int] | None:
    """(route, day its sequence started, round number) of a round_complete or missed event.

    The tracker writes the day; for a log from before it did, the round is found from the site's
    route (its start at or before the event, the window end at most an hour before it)."""
    name, number = e.data.get("route"), e.data.get("round")
    if name is None or number is None:
        return None
    if e.data.get("day"):
        return name, date.fromisoformat(e.data["day"]), int(number)
    route = routes.get(name)
    if route is None:
        return None
    anchor = datetime.fromisoformat(e.data["window_end"]) if e.data.get("window_end") else e.ts
    local = anchor.astimezone(tz).date()
    for day in (local, local - timedelta(days=1), local - timedelta(days=2)):
        for k, begin, end in route.rounds_of(day, tz):
            if k + 1 == number and begin <= anchor <= end + timedelta(hours=1):
                return name, day, int(number)
    return None


def _rate(done: int, judged: int) -> float | None:
    return round(100 * done / judged, 1) if judged else None


def _row(slots: list[tuple], done: set, missed: dict, now: datetime) -> dict:
    """Rounds scheduled (slots), done, not yet judged (window still open and not done), missed
    checkpoints and the rate over the rounds judged so far."""
    finished = sum(1 for s in slots if s[:3] in done)
    pending = sum(1 for s in slots if s[:3] not in done and s[4] > now)
    return {"rounds_required": len(slots), "rounds_done": finished, "pending": pending,
            "missed_checkpoints": sum(missed.get(s[:3], 0) for s in slots),
            "rate_pct": _rate(finished, len(slots) - pending)}


def patrol_breakdown(events: list[EventRecord], routes: Iterable, tz: ZoneInfo, first: date,
                     last: date, now: datetime, duty: tuple[DutyWindow, ...] = (),
                     off: OffDays | None = None) -> dict:
    """Patrol per local day, per route and per duty window, against the programme's goals.

    A round belongs to the day its route's sequence starts on (a 19:00 route's 01:00 round is the
    evening's), as in the rounds required. A round whose window is still open and not done at
    `now` is pending: in the required count, not in the rate. A shift (one occurrence of an
    [[operations.duty]] window) is under two when fewer than SHIFT_ROUNDS rounds that start in it
    were done once it is over; `scheduled_under_two` counts the shifts whose routes do not even
    ask for two. A window no route patrols in the period (a leader's office hours) is listed as
    not patrolled, never as shifts under two."""
    routes = {r.name: r for r in routes}
    slots = []  # (route, day, number, start, end) of every round the routes ask for
    day = first
    while day <= last:
        for route in routes.values():
            slots += [(route.name, day, k + 1, begin, end)
                      for k, begin, end in route.rounds_of(day, tz)]
        day += timedelta(days=1)
    done: set = set()
    missed: dict = {}
    for e in events:
        if e.kind not in (PATROL_ROUND_DONE, PATROL_MISSED):
            continue
        key = _round_key(e, routes, tz)
        if key is None:
            continue
        if e.kind == PATROL_ROUND_DONE:
            done.add(key)
        else:
            missed[key] = missed.get(key, 0) + 1
    days = []
    day = first
    while day <= last:
        row = _row([s for s in slots if s[1] == day], done, missed, now)
        if row["rounds_required"]:
            days.append({"date": day.isoformat(), **row})
        day += timedelta(days=1)
    shifts = []
    for window in duty:
        occurrences = [(b.replace(tzinfo=tz), f.replace(tzinfo=tz))
                       for b, f in window.occurrences(first, last, off or OffDays())]
        mine = [s for s in slots if any(b <= s[3] < f for b, f in occurrences)]
        under, thin = [], 0
        for b, f in occurrences if mine else ():
            inside = [s for s in slots if b <= s[3] < f]
            thin += len(inside) < SHIFT_ROUNDS
            if f <= now and sum(1 for s in inside if s[:3] in done) < SHIFT_ROUNDS:
                under.append(format_ts(b))
        shifts.append({"window": window.name, "shifts": len(occurrences),
                       "patrolled": bool(mine), **_row(mine, done, missed, now),
                       "under_two": under, "scheduled_under_two": thin})
    return {"daily_rate_goal_pct": DAILY_RATE_GOAL_PCT, "shift_rounds_goal": SHIFT_ROUNDS,
            "days": days,
            "days_below_goal": [d["date"] for d in days if d["rate_pct"] is not None
                                and d["rate_pct"] < DAILY_RATE_GOAL_PCT],
            "routes": [{"route": name, **_row([s for s in slots if s[0] == name], done, missed,
                                              now)} for name in routes],
            "shifts": shifts}


def selftest_figures(events: list[EventRecord], site: Site) -> dict:
    tests = [e for e in events if e.kind in SELFTEST_KINDS]
    tested = {e.device for e in tests}
    due = [d.name for d in must_test(site)]
    return {"tests": len(tests), "passed": sum(e.kind == "selftest.pass" for e in tests),
            "failed": sum(e.kind == "selftest.fail" for e in tests),
            "devices_due": len(due), "untested": sorted(set(due) - tested)}


def availability(events: list[EventRecord], site: Site, start: datetime, end: datetime) -> dict:
    """Per bus: the share of device-time online, from trouble.offline / trouble.restore."""
    span = (end - start).total_seconds()
    down: dict[str, float] = {}
    since: dict[str, datetime] = {}
    for e in events:
        if e.device is None:
            continue
        if e.kind == E.TROUBLE_OFFLINE and e.device not in since:
            since[e.device] = max(e.ts, start)
        elif e.kind == E.TROUBLE_RESTORE and e.data.get("trouble", "offline") == "offline" \
                and e.device in since:
            down[e.device] = down.get(e.device, 0.0) + (min(e.ts, end) -
                                                        since.pop(e.device)).total_seconds()
    for name, t in since.items():
        down[name] = down.get(name, 0.0) + (end - t).total_seconds()
    out = {}
    for bus in {d.bus for d in site.devices}:
        names = [d.name for d in site.devices if d.bus == bus]
        lost = sum(down.get(n, 0.0) for n in names)
        total = span * len(names)
        out[bus] = {"devices": len(names), "offline_s": round(lost, 1),
                    "availability_pct": round(100 * (1 - lost / total), 3) if total > 0 else None}
    return out
