"""Verbs for campus operations: `report`, `hazard`, `visitor`, `duty`.

They work with the host up or down: the ledger (DIR/operations.db) and the event log are SQLite
files in the state dir that the host and these verbs share safely (WAL, one writer at a time).
Who records an entry is proven (who_acts.py): the caller's OS account mapped to an operator, or
`--user NAME` with that operator's PIN; their role must allow it (permissions.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path

from controller.operations.duty import DutyRoster
from controller.operations.gate_log import GateLog, check_gate
from controller.operations.hazards import HazardRegister
from controller.operations.ledger import Ledger, LedgerError
from controller.service.paths import StatePaths


def _common(p: argparse.ArgumentParser, *, site: bool = True) -> None:
    p.add_argument("--state-dir", default=None, help="the host's state dir (default "
                   "$CAMPUSGUARD_STATE or ./state)")
    if site:
        p.add_argument("--site", default=None, help="site file (default: the demo campus)")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def _acting_user(p: argparse.ArgumentParser) -> None:
    """--user / --pin-stdin: the host checks them for its actions, who_acts.py for the ledger."""
    from controller.cli import _user

    _user(p)


def register(subparsers) -> None:
    p = subparsers.add_parser("report", help="the term report for inspectors (HTML + JSON)")
    p.add_argument("--state-dir", default=None, help="the host's state dir")
    p.add_argument("--site", default=None, help="site file (default: the demo campus)")
    p.add_argument("--term", default=None, help="a [[operations.terms]] name of the site")
    p.add_argument("--from", dest="first", default=None, help="first day, YYYY-MM-DD")
    p.add_argument("--to", dest="last", default=None, help="last day, YYYY-MM-DD (inclusive)")
    p.add_argument("--out", required=True, help="folder for report.html and report.json")
    p.add_argument("--lang", default="zh-CN", choices=("zh-CN", "en"),
                   help="language of report.html (the other one is written beside it)")
    p.set_defaults(func=cmd_report)

    p = subparsers.add_parser("selftest", help="self-test a smoke detector (its test mode) or "
                              "walk-test a panic station (the next press there is a test)")
    p.add_argument("device", help="a smoke detector or panic station of the site")
    p.add_argument("--reason", default="scheduled self-test")
    p.add_argument("--state-dir", default=None, help="the host's state dir")
    _acting_user(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_selftest, verb="selftest")

    p = subparsers.add_parser("gate-open", help="open a gate by hand (outside its schedule "
                              "windows: with a gate-log visit number or a reason)")
    p.add_argument("device", help="a gate of the site")
    p.add_argument("--visit", type=int, default=None, help="the gate-log visit it opens for")
    p.add_argument("--reason", default="")
    p.add_argument("--state-dir", default=None, help="the host's state dir")
    _acting_user(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_gate_open, verb="gate-open")

    p = subparsers.add_parser("hazard", help="the hazard register: add, close, list")
    sub = p.add_subparsers(dest="action", required=True)
    a = sub.add_parser("add", help="register a hazard")
    a.add_argument("title")
    a.add_argument("--owner", required=True, help="who fixes it")
    a.add_argument("--days", type=float, default=None, help="deadline in days (default: site)")
    a.add_argument("--deadline", default=None, help="deadline, YYYY-MM-DD (site-local, end of day)")
    a.add_argument("--severity", choices=("major", "minor"), default="minor")
    a.add_argument("--device", default=None)
    _common(a)
    _acting_user(a)
    a.set_defaults(func=cmd_hazard_add)
    c = sub.add_parser("close", help="close a hazard with a note")
    c.add_argument("id", type=int)
    c.add_argument("--note", required=True, help="what was done")
    _common(c, site=False)
    _acting_user(c)
    c.set_defaults(func=cmd_hazard_close)
    ls = sub.add_parser("list", help="list hazards (open ones first)")
    ls.add_argument("--all", action="store_true", help="closed ones too")
    _common(ls)
    ls.set_defaults(func=cmd_hazard_list)

    p = subparsers.add_parser("visitor", help="the gate log: visitors and vehicles in and out")
    sub = p.add_subparsers(dest="action", required=True)
    i = sub.add_parser("in", help="register a visitor or a vehicle coming in")
    i.add_argument("--kind", choices=("person", "vehicle"), default="person")
    i.add_argument("--name", default=None, help="the visitor's name (erased after retention)")
    i.add_argument("--plate", default=None, help="number plate (vehicles; erased after retention)")
    i.add_argument("--visiting", required=True, help="whom they visit")
    i.add_argument("--purpose", required=True, help="why")
    i.add_argument("--gate", default=None, help="which gate")
    _common(i)
    _acting_user(i)
    i.set_defaults(func=cmd_visitor_in)
    o = sub.add_parser("out", help="register a visit's departure")
    o.add_argument("id", type=int)
    _common(o, site=False)
    _acting_user(o)
    o.set_defaults(func=cmd_visitor_out)
    ls = sub.add_parser("list", help="visitors still inside (--all: every visit)")
    ls.add_argument("--all", action="store_true")
    _common(ls)
    ls.set_defaults(func=cmd_visitor_list)

    p = subparsers.add_parser("duty", help="sign on or off duty; who is on duty now")
    sub = p.add_subparsers(dest="action", required=True)
    for verb, text in (("on", "sign on"), ("off", "sign off")):
        d = sub.add_parser(verb, help=text)
        if verb == "on":
            d.add_argument("--post", default="any", help="a [[operations.duty]] window name")
        _common(d, site=verb == "on")
        _acting_user(d)
        d.set_defaults(func=cmd_duty_on if verb == "on" else cmd_duty_off)
    s = sub.add_parser("status", help="who is signed on")
    _common(s)
    s.set_defaults(func=cmd_duty_status)


# ---------------------------------------------------------------------------- helpers
def _fail(message: str) -> int:
    print(f"campusguard: {message}", file=sys.stderr)
    return 1


def _site(args):
    from controller.site import default_site_path, load_site

    return load_site(args.site or default_site_path())


def _by(args, ledger: Ledger, action: str) -> str:
    """The proven operator's name for an entry (WhoError, a ValueError, names the fix)."""
    from controller.operations.who_acts import acting_operator

    return acting_operator(StatePaths.of(args.state_dir).root, ledger, args.user,
                           args.pin_stdin, action).name


def _ledger(args) -> Ledger:
    return Ledger(StatePaths.of(args.state_dir).root)


def _out(args, payload: dict, text: str) -> int:
    print(json.dumps(payload, ensure_ascii=False, indent=2) if args.json else text)
    return 0


def _day(text: str | None, what: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{what} {text!r} is not a date: write YYYY-MM-DD") from None


def _guarded(func):
    def run(args) -> int:
        from controller.site import SiteError

        try:
            return func(args)
        except (LedgerError, ValueError, SiteError) as exc:
            return _fail(str(exc))
    return run


def _selftest(args) -> int:
    from controller.cli import cmd_action  # the control-socket client every action verb uses

    return cmd_action(args)


@_guarded
def _gate_open(args) -> int:
    from controller.cli import cmd_action

    if args.visit is not None:
        with _ledger(args) as ledger:
            visit = GateLog(ledger).get(args.visit)  # GateLogError names the fix
        if visit.time_out is not None:
            return _fail(f"visit #{visit.id} already left: register the new visit first")
    return cmd_action(args)


# ---------------------------------------------------------------------------- report
@_guarded
def cmd_report(args) -> int:
    from controller.report.term_report import ReportError, period
    from controller.report.write_report import page_names, write_report

    site = _site(args)
    out = Path(args.out)
    try:
        term, first, last = period(site, args.term, _day(args.first, "--from"),
                                   _day(args.last, "--to"))
        report, _ = write_report(site, StatePaths.of(args.state_dir).root, term, first, last,
                                 out, args.lang)
    except ReportError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"cannot write the report into {out}: {exc}. Fix: choose a folder you "
                     f"can write, with free space")
    d = report["drills"]
    print(f"report for {report['campus']}, {first} to {last}: drills fire {d['fire']['count']}"
          f"/{d['fire']['target']}, lockdown {d['lockdown']['count']}/{d['lockdown']['target']}, "
          f"evacuation {d['evacuation']['count']}/{d['evacuation']['target']}; hazards open "
          f"{report['hazards']['open']}, overdue {report['hazards']['overdue']}; duty coverage "
          f"{report['duty']['coverage_pct']} %")
    pages = ", ".join(str(out / name) for name in page_names(args.lang).values())
    print(f"wrote {pages} and {out / 'report.json'}")
    return 0


# ---------------------------------------------------------------------------- hazards
@_guarded
def cmd_hazard_add(args) -> int:
    site = _site(args)
    now = datetime.now().astimezone()
    if args.deadline:
        deadline = datetime.combine(_day(args.deadline, "--deadline"), time(23, 59), site.tz)
    else:
        deadline = now + timedelta(days=args.days or site.operations.hazard_days)
    with _ledger(args) as ledger:
        entry = HazardRegister(ledger).add(args.title, args.owner, deadline,
                                           _by(args, ledger, "report_hazards"),
                                           severity=args.severity, device=args.device)
    local = entry.deadline.astimezone(site.tz)
    return _out(args, entry.to_dict(), f"hazard #{entry.id} registered: {entry.title} "
                f"(owner {entry.owner}, due {local:%Y-%m-%d %H:%M} {site.timezone})")


@_guarded
def cmd_hazard_close(args) -> int:
    with _ledger(args) as ledger:
        entry = HazardRegister(ledger).close(args.id, args.note,
                                             _by(args, ledger, "close_hazards"))
    late = entry.closed_at > entry.deadline
    return _out(args, entry.to_dict(), f"hazard #{entry.id} closed by {entry.closed_by}"
                f"{' AFTER its deadline' if late else ' in time'}: {entry.note}")


@_guarded
def cmd_hazard_list(args) -> int:
    site = _site(args)
    with _ledger(args) as ledger:
        entries = HazardRegister(ledger).all()
    if not args.all:
        entries = [h for h in entries if h.closed_at is None]
    now = datetime.now().astimezone()
    lines = [f"#{h.id} [{h.severity}] {h.title} — owner {h.owner}, due "
             f"{h.deadline.astimezone(site.tz):%Y-%m-%d %H:%M}"
             f"{' OVERDUE' if h.closed_at is None and now > h.deadline else ''}"
             f"{' closed ' + format(h.closed_at.astimezone(site.tz), '%Y-%m-%d') if h.closed_at else ''}"
             for h in entries]
    return _out(args, {"hazards": [h.to_dict() for h in entries]},
                "\n".join(lines) or "no open hazards")


# ---------------------------------------------------------------------------- gate log
@_guarded
def cmd_visitor_in(args) -> int:
    site = _site(args)
    gate = check_gate([d.name for d in site.devices if d.role == "gate"], args.gate)
    with _ledger(args) as ledger:
        visit = GateLog(ledger, site.operations.gate_log_retention_days).check_in(
            args.kind, args.visiting, args.purpose, _by(args, ledger, "register_visitors"),
            name=args.name, plate=args.plate, gate=gate)
    return _out(args, visit.to_dict(), f"visit #{visit.id} in: {visit.kind} "
                f"{visit.plate or visit.name or ''} visiting {visit.visiting} ({visit.purpose}). "
                f"Name and plate are kept {site.operations.gate_log_retention_days} days")


@_guarded
def cmd_visitor_out(args) -> int:
    with _ledger(args) as ledger:
        _by(args, ledger, "register_visitors")
        visit = GateLog(ledger).check_out(args.id)
    return _out(args, visit.to_dict(), f"visit #{visit.id} out")


@_guarded
def cmd_visitor_list(args) -> int:
    site = _site(args)
    with _ledger(args) as ledger:
        log = GateLog(ledger)
        visits = log.all() if args.all else log.inside()
    lines = [f"#{v.id} {v.kind} {v.plate or v.name or '(anonymous)'} visiting {v.visiting} "
             f"({v.purpose}) in {v.time_in.astimezone(site.tz):%Y-%m-%d %H:%M}"
             f"{' out ' + format(v.time_out.astimezone(site.tz), '%H:%M') if v.time_out else ''}"
             for v in visits]
    return _out(args, {"visits": [v.to_dict() for v in visits]},
                "\n".join(lines) or "nobody registered inside")


# ---------------------------------------------------------------------------- duty
@_guarded
def cmd_duty_on(args) -> int:
    site = _site(args)
    posts = [w.name for w in site.operations.duty]
    if args.post != "any" and args.post not in posts:
        return _fail(f"no duty window {args.post!r} in {site.path}: use one of "
                     f"{', '.join(posts) or '(none: add [[operations.duty]])'} or any")
    with _ledger(args) as ledger:
        shift = DutyRoster(ledger).sign_on(_by(args, ledger, "sign_on_duty"), args.post)
    return _out(args, {"operator": shift.operator, "post": shift.post},
                f"{shift.operator} signed on ({shift.post})")


@_guarded
def cmd_duty_off(args) -> int:
    with _ledger(args) as ledger:
        shift = DutyRoster(ledger).sign_off(_by(args, ledger, "sign_off_duty"))
    return _out(args, {"operator": shift.operator, "post": shift.post},
                f"{shift.operator} signed off ({shift.post})")


@_guarded
def cmd_duty_status(args) -> int:
    site = _site(args)
    with _ledger(args) as ledger:
        shifts = DutyRoster(ledger).signed_on()
    return _out(args, {"on_duty": [{"operator": s.operator, "post": s.post,
                                    "since": s.signed_on.isoformat()} for s in shifts]},
                "\n".join(f"{s.operator} ({s.post}) since "
                          f"{s.signed_on.astimezone(site.tz):%Y-%m-%d %H:%M} {site.timezone}"
                          for s in shifts) or "nobody is signed on")
