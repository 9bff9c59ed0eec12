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
    p.add_argument("kind", choices=("fire", "lockdown", "end"))
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
    p.add_argument("--since", default=None, help="ISO 8601 time")
    p.add_argument("--kind", default=None, help="kind (panic.alarm) or family (panic)")
    p.add_argument("--device", default=None)
    p.add_argument("--zone", default=None)
    p.add_argument("--limit", type=int, default=None)
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
    paths = StatePaths.of(args.state_dir)
    return asyncio.run(_serve(site, paths, ports))


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
    from controller.service.host import Host

    host = Host(site, paths, ports, local_io_factory=local_io_factory)
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
    print(f"{status['site']}: mode {status['mode'].upper()}")
    print("zones: " + ", ".join(f"{z}={m}" for z, m in status["zones"].items()))
    for bus, info in status["buses"].items():
        print(f"bus {bus}: {'up' if info['up'] else 'DOWN'} {info['port']} {info['baud']} baud, "
              f"cycle {info['cycle_ms']} ms (estimate {info['estimated_cycle_ms']} ms)")
    for d in status["devices"]:
        online = "online " if d["online"] else "OFFLINE"
        commanded = f" -> {d['commanded']}" if d["commanded"] else ""
        faults = f"  faults: {', '.join(d['faults'])}" if d["faults"] else ""
        print(f"  {d['name']:<30} {d['role']:<20} {online} {d['state']}{commanded}{faults}")
    return 0


def cmd_action(args) -> int:
    paths = StatePaths.of(args.state_dir)
    payload = {"verb": args.verb, "user": args.user, "reason": args.reason,
               "zone": getattr(args, "zone", None), "device": getattr(args, "device", None),
               "kind": getattr(args, "kind", None)}
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
    from controller.store import EventStore, parse_ts

    paths = StatePaths.of(args.state_dir)
    if not paths.events_db.exists():
        return _fail(f"no event store at {paths.events_db}. Fix: pass the --state-dir the host uses")
    try:
        since = parse_ts(args.since) if args.since else None
    except ValueError:
        return _fail(f"--since {args.since!r} is not an ISO 8601 time (e.g. 2026-11-22T08:00:00Z)")
    store = EventStore(paths.events_db)
    try:
        records = store.query(since=since, kind=args.kind, device=args.device, zone=args.zone,
                              limit=args.limit)
    finally:
        store.close()
    if args.json:
        print(json.dumps([r.to_dict() for r in records], indent=1))
        return 0
    for r in records:
        where = f" [{r.device}]" if r.device else ""
        drill = " (DRILL)" if r.drill else ""
        print(f"{r.to_dict()['ts']} {r.kind:<22}{drill}{where} {r.message}")
    return 0
