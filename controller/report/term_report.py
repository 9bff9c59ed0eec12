"""The term report for inspectors (督导检查): every figure the programme asks for, from the event
log and the operations ledger, for a term of the site or any date range (site-local days).

build_report() returns the JSON-able dict written to report.json; render_html turns it into
report.html. The figures are pure functions of what the log and the ledger hold.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from controller.operations.duty import DutyRoster, coverage
from controller.operations.event_figures import (
    alarm_list,
    availability,
    drill_figures,
    drill_records,
    patrol_breakdown,
    patrol_figures,
    selftest_figures,
)
from controller.operations.gate_log import GateLog, gate_log_figures
from controller.operations.hazards import HazardRegister, closure_figures
from controller.operations.ledger import Ledger, utc_now
from controller.site.model import Site
from controller.site.operations import OffDays, Term
from controller.store.event_store import EventStore
from controller.store.record import format_ts


class ReportError(Exception):
    """The report cannot be made; the message names the fix."""


def period(site: Site, term_name: str | None, start: date | None,
           end: date | None) -> tuple[Term | None, date, date]:
    if term_name:
        try:
            term = site.operations.term(term_name)
        except KeyError as exc:
            raise ReportError(str(exc.args[0])) from None
        return term, term.start, term.end
    if start is None or end is None:
        raise ReportError("say which period: --term NAME (a [[operations.terms]] name) or "
                          "--from YYYY-MM-DD --to YYYY-MM-DD")
    if end < start:
        raise ReportError(f"--to {end} is before --from {start}: give the last day after the first")
    # A range inside a defined term takes that term's targets.
    term = next((t for t in site.operations.terms if t.start <= start and end <= t.end), None)
    return term, start, end


def _rounds_required(site: Site, first: date, last: date) -> int | None:
    """Patrol rounds the site's [patrol] routes ask for in the period (None: no routes)."""
    from controller.patrol.config import load_patrol

    routes = load_patrol(site).routes
    if not routes:
        return None
    tz = site.tz
    total = 0
    day = first
    while day <= last:
        total += sum(len(route.rounds_of(day, tz)) for route in routes)
        day += timedelta(days=1)
    return total


def _patrol(site: Site, events: list, first: date, last: date, now: datetime,
            off: OffDays) -> dict:
    from controller.patrol.config import load_patrol

    routes = load_patrol(site).routes
    breakdown = patrol_breakdown(events, routes, site.tz, first, last, now,
                                 site.operations.duty, off) if routes else {}
    pending = sum(row["pending"] for row in breakdown.get("routes", []))
    return {**patrol_figures(events, _rounds_required(site, first, last), pending), **breakdown}


def build_report(site: Site, state_dir: Path, term: Term | None, first: date, last: date,
                 now: datetime | None = None) -> dict:
    tz = site.tz
    start = datetime.combine(first, time(0), tz)
    end = datetime.combine(last + timedelta(days=1), time(0), tz)
    now = now or utc_now()
    events_db = Path(state_dir) / "events.db"
    if not events_db.exists():
        raise ReportError(f"no event log at {events_db}. Fix: pass the host's --state-dir")
    store = EventStore(events_db)
    try:
        events = store.query(since=start, until=end)
    finally:
        store.close()
    with Ledger(state_dir) as ledger:
        hazards = HazardRegister(ledger).all()
        visits = GateLog(ledger, site.operations.gate_log_retention_days).all()
        shifts = DutyRoster(ledger).all()
    records = drill_records(events, site)
    off = OffDays(site.holidays, site.operations.vacations)
    report = {
        "campus": site.name,
        "timezone": site.timezone,
        "term": term.name if term else None,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "generated_at": format_ts(now),
        "school_type": site.operations.school_type,
        "events_read": len(events),
        "drills": drill_figures(records, term, site.operations.school_type),
        "patrol": _patrol(site, events, first, last, now, off),
        "duty": coverage(site.operations.duty, shifts, start, end, tz, off, now),
        "gate_log": gate_log_figures(visits, start, end, site.operations.gate_log_retention_days),
        "alarms": alarm_list(events),
        "self_tests": selftest_figures(events, site),
        "hazards": closure_figures(hazards, start, end, now),
        "availability": availability(events, site, start, min(end, now)),
    }
    return report
