"""The host's verbs: run, status, lockdown, clear, ack, reset, drill, fire-confirm, events.

`run` is the service; the others talk to it over the control socket in the state dir, except
`events`, which reads the event store directly so it works with the host down.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import signal
import sys

from controller.service.control_client import HostUnreachable, request
from controller.service.paths import StatePaths

STOP_TIMEOUT_S = 10.0


def _state_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--state-dir", default=None,
                        help="the host's state dir (control socket, event store); "
                             "default $CAMPUSGUARD_STATE or ./state")


def _user(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user", default=None,
                        help="act as this operator (default: the operator mapped to your OS "
                             "account); anyone else needs --pin-stdin")
    parser.add_argument("--pin-stdin", action="store_true",
                        help="read --user's PIN from the first line of stdin")


def _json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def register(subparsers) -> None:
    p = subparsers.add_parser("run", help="run the guard-room host")
    p.add_argument("--site", default=None, help="site file (default: sites/demo-campus.toml)")
    p.add_argument("--sim", default=None, metavar="DIR", help="run against the simulator in DIR (DIR/sim.json)")
    _state_dir(p)
    p.set_defaults(func=cmd_run)

    p = subparsers.add_parser("status", help="campus mode, zones and every device")
    _state_dir(p)
    _json(p)
    p.set_defaults(func=cmd_status)

    for verb, text in (("lockdown", "lock down the campus or one zone"),
                       ("clear", "clear a lockdown (a supervisor, or two different guards)")):
        p = subparsers.add_parser(verb, help=text)
        _state_dir(p)
        p.add_argument("--zone", default=None)
        # a lockdown is never refused, not even for a missing reason
        p.add_argument("--reason", required=verb != "lockdown", default="")
        _user(p)
        _json(p)
        p.set_defaults(func=cmd_action, verb=verb)

    p = subparsers.add_parser("ack", help="acknowledge alarms (one device, or all)")
    _state_dir(p)
    p.add_argument("--device", default=None)
    p.add_argument("--reason", default="")
    _user(p)
    _json(p)
    p.set_defaults(func=cmd_action, verb="ack")

    p = subparsers.add_parser("reset", help="authorised host reset of a latched panic station")
    _state_dir(p)
    p.add_argument("--device", required=True)
    p.add_argument("--reason", default="")
    _user(p)
    _json(p)
    p.set_defaults(func=cmd_action, verb="reset")

    p = subparsers.add_parser("drill", help="start a fire or lockdown drill, or end it")
    _state_dir(p)
    p.add_argument("kind", choices=("fire", "lockdown", "evacuation", "end"))
    p.add_argument("--reason", required=True)
    _user(p)
    _json(p)
    p.set_defaults(func=cmd_action, verb="drill")

    p = subparsers.add_parser("fire-confirm", help="a guard confirms a fire (opens egress)")
    _state_dir(p)
    p.add_argument("--reason", required=True)
    _user(p)
    _json(p)
    p.set_defaults(func=cmd_action, verb="fire-confirm")

    p = subparsers.add_parser("events", help="the event log (works with the host down)")
    _state_dir(p)
    p.add_argument("--since", default=None,
                   help="ISO 8601 (no zone = site time), HH:MM, 1h, 30m, today, yesterday")
    p.add_argument("--site", default=None,
                   help="site file for its time zone (default: the zone the host last ran in)")
    p.add_argument("--kind", default=None, help="kind (panic.alarm) or family (panic)")
    p.add_argument("--device", default=None)
    p.add_argument("--zone", default=None)
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--file", default=None,
                   help="read this events file instead (e.g. an events.db.damaged-<time>)")
    _json(p)
    p.set_defaults(func=cmd_events)


def _fail(message: str) -> int:
    print(f"campusguard: {message}", file=sys.stderr)
    return 1


# ---------------------------------------------------------------- run
def cmd_run(args) -> int:
    from controller.service.ports import PortsError, sim_ports, site_ports
    from controller.site import SiteError, default_site_path, load_site

    try:
        site = load_site(args.site or default_site_path())
        ports = sim_ports(site, args.sim) if args.sim else site_ports(site)
    except (SiteError, PortsError) as exc:
        return _fail(str(exc))
    from controller.service.host_locks import LockHeld

    paths = StatePaths.of(args.state_dir)
    try:
        return asyncio.run(_serve(site, paths, ports))
    except LockHeld as exc:
        return _fail(str(exc))


def local_io_factory(host):
    """GuardRoomIo from the site's [local_io] on the machine's GPIO; None when not fitted."""
    from controller.local_io.config import load_local_io
    from controller.local_io.guard_room import GuardRoomIo
    from protocols import events as E

    config = load_local_io(host.site.local_io, host.site.zone_names(), str(host.site.path))
    if not config.fitted:
        return None
    try:
        return GuardRoomIo(config, host.actions.local_input, asyncio.get_running_loop())
    except Exception as exc:  # no GPIO on this machine: run without, and say so in the log
        host.log(E.TROUBLE_FAULT, f"guard-room I/O unavailable: {exc}", device="local_io",
                 data={"error": repr(exc)})
        return None


async def _serve(site, paths: StatePaths, ports) -> int:
    from controller.service.control_server import ControlError, control_gid
    from controller.service.host import Host
    from controller.service.legacy_users import warn_legacy_users

    warn_legacy_users(site)
    try:
        control_gid(site)  # before any bus opens: a site this machine cannot serve says so
    except ControlError as exc:
        return _fail(str(exc))
    from controller.store import EventStoreError

    try:
        host = Host(site, paths, ports, local_io_factory=local_io_factory)
    except EventStoreError as exc:  # not even a fresh events.db can be created: say why
        return _fail(str(exc))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await host.start()
    from controller.console.server import start_console  # the guard console (DIR/console.json)
    console = await start_console(host)
    print(f"campusguard host running: {site.name}; control socket {paths.control_socket}; "
          f"buses {', '.join(f'{b}={p.port}' for b, p in ports.items())}", flush=True)
    await stop.wait()
    if console is not None:
        await console.stop()
    try:
        await asyncio.wait_for(host.stop(), STOP_TIMEOUT_S)
    except asyncio.TimeoutError:
        print(f"campusguard: host did not stop cleanly within {STOP_TIMEOUT_S:.0f} s", file=sys.stderr)
        return 1
    return 0


# ---------------------------------------------------------------- talking to the host
def cmd_status(args) -> int:
    paths = StatePaths.of(args.state_dir)
    try:
        reply = request(paths.control_socket, {"verb": "status"})
    except HostUnreachable as exc:
        return _fail(str(exc))
    status = reply["status"]
    if args.json:
        print(json.dumps(status, indent=2))
        return 0
    from controller.status_render import render_status

    print("\n".join(render_status(status)))
    return 0


def cmd_action(args) -> int:
    paths = StatePaths.of(args.state_dir)
    payload = {"verb": args.verb, "user": args.user, "reason": args.reason,
               "zone": getattr(args, "zone", None), "device": getattr(args, "device", None),
               "kind": getattr(args, "kind", None), "visit": getattr(args, "visit", None)}
    if args.pin_stdin:
        if not args.user:
            return _fail("--pin-stdin needs --user NAME (whose PIN it is)")
        payload["pin"] = _read_pin()
    try:
        reply = request(paths.control_socket, payload)
    except HostUnreachable as exc:
        return _fail(str(exc))
    if args.json:
        print(json.dumps(reply, indent=2))
    else:
        for entry in reply.get("log", []):
            print(f"{entry['kind']}: {entry['message']}")
        if not reply.get("ok"):
            print(f"refused: {reply.get('error')}" if reply.get("refused", True)
                  else f"WARNING: {reply.get('error')}", file=sys.stderr)
        if "mode" in reply:
            print(f"mode now: {reply['mode']}")
    if not reply.get("ok") or reply.get("refused"):
        return 1
    return 0


def _read_pin() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("PIN: ")
    return sys.stdin.readline().rstrip("\r\n")


def cmd_events(args) -> int:
    from pathlib import Path

    from controller.event_times import BadSince, known_kinds, local_text, parse_since, site_timezone
    from controller.store.salvage import read_events

    paths = StatePaths.of(args.state_dir)
    db = Path(args.file) if args.file else paths.events_db
    if not db.exists():
        return _fail(f"no event store at {db}. Fix: pass the --state-dir the host uses")
    tz, tz_name = site_timezone(db, args.site)
    try:
        since = parse_since(args.since, tz) if args.since else None
    except BadSince as exc:
        return _fail(str(exc))
    kinds = known_kinds(db)
    if args.kind is not None and args.kind not in kinds:
        return _fail(f"no event kind {args.kind!r}. Fix: use a kind or a family: "
                     f"{', '.join(kinds)}")
    readable = read_events(db, since=since, kind=args.kind, device=args.device, zone=args.zone,
                           limit=args.limit)  # a damaged store: what reads, and what does not
    records = readable.records
    for problem in readable.problems:
        print(f"campusguard: NOT READABLE: {problem}", file=sys.stderr)
    failed = 1 if readable.problems else 0
    if args.json:
        print(json.dumps([r.to_dict() | {"local_ts": local_text(r.to_dict()["ts"], tz)}
                          for r in records], indent=1))
        return failed
    for r in records:
        where = f" [{r.device}]" if r.device else ""
        drill = " (DRILL)" if r.drill else ""
        print(f"{local_text(r.to_dict()['ts'], tz)} {r.kind:<22}{drill}{where} {r.message}")
    if not records:
        print(f"no events{' since ' + since.astimezone(tz).isoformat(sep=' ') if since else ''}"
              f" (times in {tz_name})", file=sys.stderr)
    return failed
