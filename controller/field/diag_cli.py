"""`campusguard diag ...`: argument parsing and output for the technician's commands."""

from __future__ import annotations

import argparse
import json
import sys
import time

from controller.field import diag_commands as commands
from controller.field import diag_render as render
from controller.field.bus_stats import (
    SessionStats,
    clear_session,
    default_session_dir,
    load_session,
    port_instance,
    save_session,
)
from controller.field.bus_target import resolve_target
from controller.field.errors import UsageError
from controller.field.guarded import run_guarded
from controller.field.host_relay import host_holding, open_through_host
from controller.field.modbus_master import DEFAULT_RETRIES, DEFAULT_TURNAROUND_S, ModbusMaster
from controller.field.profile_catalog import profile_by_name
from controller.field.serial_link import close_port, open_port
from protocols import registers as R

SCAN_TURNAROUND_S = 0.03  # scan: a present unit answers well within this; keeps 247 addresses quick
SCAN_RETRIES = 1  # identification requests of a unit found; probes get a second pass instead

EPILOG = """examples:
  campusguard diag scan --port /dev/ttyUSB0 --baud 19200
  campusguard diag scan --sim STATE_DIR --bus gate-bus        (a simulated bus)
  campusguard diag info 1 --sim STATE_DIR --bus gate-bus
  campusguard diag counters 1 --port /dev/ttyUSB0 --clear
  campusguard diag watch 1 --port /dev/ttyUSB0                (Ctrl-C to stop)
  campusguard diag read 1 state --port /dev/ttyUSB0
  campusguard diag write 1 command open --port /dev/ttyUSB0
  campusguard diag bus --port /dev/ttyUSB0
"""


def _line_options() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("serial line (give --port, or --sim/--site with --bus)")
    g.add_argument("--port", help="serial port: /dev/ttyUSB0, /dev/pts/N, socket://host:port")
    g.add_argument("--baud", type=int, help="line speed (default 19200, or the bus's)")
    g.add_argument("--parity", choices=("N", "E", "O"), help="parity (default N)")
    g.add_argument("--stopbits", type=int, choices=(1, 2), help="stop bits (default 1)")
    g.add_argument("--sim", metavar="STATE_DIR", help="take the port from a running simulator")
    g.add_argument("--site", metavar="FILE", help="take the port from a site file")
    g.add_argument("--bus", help="bus name in --sim/--site (e.g. gate-bus)")
    g.add_argument("--timeout", type=float, metavar="S",
                   help="device turnaround allowed after the wire time (default %.2f s, scan %.2f s)"
                   % (DEFAULT_TURNAROUND_S, SCAN_TURNAROUND_S))
    g.add_argument("--retries", type=int, metavar="N",
                   help="tries after a lost answer (default %d, scan %d); all are counted"
                   % (DEFAULT_RETRIES, SCAN_RETRIES))
    p.add_argument("--profile", help="treat the unit as this third-party profile "
                   "(protocols/profiles/*.toml); by default units are identified, or probed")
    p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    p.add_argument("--session-dir", help="where bus error counts are kept between commands "
                   "(default $CAMPUSGUARD_DIAG_SESSION or a per-user temp dir)")
    return p


def _unit(text: str) -> int:
    value = int(text, 0)
    if not 1 <= value <= 247:
        raise argparse.ArgumentTypeError("unit must be 1..247, not %s" % text)
    return value


def _units(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        out += range(_unit(lo), _unit(hi or lo) + 1)
    return out


def register(subparsers) -> None:
    diag = subparsers.add_parser(
        "diag", help="technician diagnostics on a serial bus: scan, info, counters, watch, ...",
        description="Diagnose CampusGuard devices (and third-party Modbus devices) on an RS-485 "
        "bus through a serial port.", epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = diag.add_subparsers(dest="diag_command", metavar="COMMAND")
    line = _line_options()

    p = sub.add_parser("scan", parents=[line], help="find the units on a bus and name each")
    p.add_argument("--units", type=_units, default=list(range(1, 248)),
                   help="addresses to try, e.g. 1-32 or 1,5,10-12 (default 1-247)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.set_defaults(func=_run, command="scan")

    p = sub.add_parser("info", parents=[line],
                       help="identity, firmware, uptime, reset cause, faults, fault log")
    p.add_argument("unit", type=_unit)
    p.set_defaults(func=_run, command="info")

    p = sub.add_parser("counters", parents=[line], help="FC 08 diagnostic counters")
    p.add_argument("unit", type=_unit)
    p.add_argument("--clear", action="store_true", help="clear the counters after reading them")
    p.set_defaults(func=_run, command="counters")

    p = sub.add_parser("watch", parents=[line], help="live decoded view of a unit's registers")
    p.add_argument("unit", type=_unit)
    p.add_argument("--count", type=int, default=0, help="stop after N refreshes (default: never)")
    p.add_argument("--interval", type=float, default=0.5, help="seconds between refreshes")
    p.set_defaults(func=_run, command="watch")

    p = sub.add_parser("read", parents=[line], help="read one register (by name or address)")
    p.add_argument("unit", type=_unit)
    p.add_argument("register", nargs="?", help="name (state, gate.state, common.mode) or address")
    p.add_argument("--list", action="store_true", help="list the unit's registers instead")
    p.set_defaults(func=_run, command="read")

    p = sub.add_parser("write", parents=[line],
                       help="write one register, after confirmation")
    p.add_argument("unit", type=_unit)
    p.add_argument("register", help="name (command, travel_timeout_s, ...) or address")
    p.add_argument("value", help="number, or a name: open, close, lockdown, ack ...")
    p.add_argument("--yes", action="store_true", help="do not ask (for scripts)")
    p.set_defaults(func=_run, command="write")

    p = sub.add_parser("bus", parents=[line],
                       help="error rates this host saw on the bus (timeouts, CRC, exceptions)")
    p.add_argument("--poll", type=int, default=0, metavar="N",
                   help="first poll each unit N times (units from --units or seen before)")
    p.add_argument("--units", type=_units, help="units to poll, e.g. 1-9")
    p.add_argument("--reset", action="store_true", help="start a new session (forget counts)")
    p.set_defaults(func=_run, command="bus")
    p = sub.add_parser("maintenance",
                       help="put one device into maintenance for a bounded time, through the "
                       "running host (technician or supervisor)")
    p.add_argument("device", help="device name in the site file")
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--minutes", type=float, help="how long (1..240); it ends by itself")
    when.add_argument("--end", action="store_true", help="end the maintenance now")
    p.add_argument("--reason", default="", help="why (logged)")
    p.add_argument("--user", help="act as this operator (default: your OS account's operator)")
    p.add_argument("--pin-stdin", action="store_true", help="read the operator's PIN from stdin")
    p.add_argument("--state-dir", help="the running host's state dir (default $CAMPUSGUARD_STATE "
                   "or ./state)")
    p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    p.set_defaults(func=lambda args: run_guarded(args, _maintenance))
    diag.set_defaults(func=lambda args: _no_command(diag))


def bus_view(session, expected: dict[int, str] | None = None) -> dict:
    """Units that ever answered are devices, and their failures are the line's error rate; so are
    the units the site names (`expected`) that never answered: 100 % failures, the worst news on
    the bus. Other addresses that never answered (a scan asks all 247) are listed apart."""
    from controller.field.bus_stats import SessionStats

    expected = expected or {}
    devices = SessionStats(port=session.port, instance=session.instance, started=session.started)
    silent = {}
    for unit, counters in session.units.items():
        if counters.answers or unit in expected:
            devices.units[unit] = counters
            devices.total.add(counters)
        else:
            silent[unit] = counters.requests
    doc = devices.as_dict()
    doc["all_requests"] = session.as_dict()["total"]
    doc["silent_units"] = sorted(silent)
    doc["silent_requests"] = sum(silent.values())
    doc["names"] = {str(u): n for u, n in expected.items()}
    doc["never_answered"] = sorted(u for u in expected
                                   if u in session.units and not session.units[u].answers)
    return {"session": doc}


def _maintenance(args: argparse.Namespace) -> int:
    from controller.field.host_relay import HostRelayError, RelayConnection, host_socket

    path = host_socket(args.state_dir)
    if not path.exists():
        raise HostRelayError("no running host in %s (no %s)" % (path.parent, path.name),
                             "maintenance is kept by the running host: give its --state-dir")
    request = {"op": "maintenance", "device": args.device, "minutes": args.minutes,
               "end": args.end, "reason": args.reason, "user": args.user}
    if args.pin_stdin:
        request["pin"] = sys.stdin.readline().strip()
    connection = RelayConnection(path)
    try:
        reply = connection.ask(request)
    finally:
        connection.close()
    if args.json:
        print(json.dumps(reply))
    if not reply.get("ok"):
        if not args.json:
            sys.stderr.write("%s: %s\n" % ("refused" if reply.get("refused") else "error",
                                           reply.get("error")))
        return 1
    if not args.json:
        window = reply.get("maintenance")
        if window:
            print("%s in maintenance by %s (%s) until %s: comm-loss trouble and re-provisioning "
                  "paused for it" % (args.device, window["by"], window["role"], window["until"]))
        else:
            print("%s out of maintenance: the host supervises and provisions it again"
                  % args.device)
    return 0


def _no_command(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _run(args: argparse.Namespace) -> int:
    return run_guarded(args, _dispatch)


def _emit(args, result: dict, text: str) -> None:
    print(json.dumps(result) if args.json else text)


def _dispatch(args: argparse.Namespace) -> int:
    profile = profile_by_name(args.profile) if args.profile else None
    if args.command == "read" and args.list and args.register in R.ROLE_NAMES[1:]:
        result = commands.list_registers(R.role_code(args.register))  # a role's map: no device
        _emit(args, result, render.register_list(result))
        return 0
    target = resolve_target(args.port, args.baud, args.parity, args.stopbits, args.sim,
                            args.site, args.bus)
    session_dir = args.session_dir or default_session_dir()
    stats = SessionStats(port=target.settings.port,
                         instance=port_instance(target.settings.port))
    turnaround = args.timeout if args.timeout is not None else (
        SCAN_TURNAROUND_S if args.command == "scan" else DEFAULT_TURNAROUND_S)
    retries = args.retries if args.retries is not None else (
        SCAN_RETRIES if args.command == "scan" else DEFAULT_RETRIES)
    holder = host_holding(target.settings.port)
    if holder is not None:  # a host owns the bus: go through its diagnostics lane
        port, master = open_through_host(target.settings, holder, stats, turnaround, retries,
                                         args.baud is not None)
    else:
        port = open_port(target.settings)
        master = ModbusMaster(port, target.settings, stats, turnaround, retries)
    try:
        return _command(args, master, target, profile, session_dir)
    finally:
        close_port(port)
        save_session(session_dir, stats)


def _command(args, master, target, profile, session_dir) -> int:
    cmd = args.command
    if cmd == "scan":
        show = render.progress if not args.no_progress and sys.stderr.isatty() else (
            lambda *_: None)
        result = commands.scan(master, target, args.units, profile, show)
        _emit(args, result, render.scan(result))
        if result["missing"] and result["devices"]:
            sys.stderr.write("%d unit(s) the site names did not answer (MISSING above)\n"
                             % len(result["missing"]))
            return 1
        if not result["devices"]:
            from controller.field.errors import NoDevice, WrongBaud
            from controller.field.modbus_master import probe_bauds

            probe_unit = target.expected[0].unit if target.expected else args.units[0]
            found = (probe_bauds(master, probe_unit)
                     if "://" not in target.settings.port and not master.relayed else 0)
            if found:
                raise WrongBaud("no unit answered at %d baud, but unit %d answers at %d baud"
                                % (target.settings.baud, probe_unit, found),
                                "try --baud %d" % found)
            other = 19200 if target.settings.baud != 19200 else 115200
            if result["garbled_answers"]:
                raise WrongBaud("no unit answered with a valid frame on %s, but %d address(es) "
                                "gave garbled bytes" % (target.settings.describe(),
                                                        result["garbled_answers"]),
                                "wrong baud or parity? try --baud %d" % other)
            raise NoDevice("no unit answered on %s" % target.settings.describe(),
                           "check A/B wiring, termination and power; if the bus runs at another "
                           "speed try --baud %d" % other)
        return 0
    if cmd == "info":
        result = commands.info(master, target, args.unit, profile)
        _emit(args, result, render.info(result))
    elif cmd == "counters":
        result = commands.counters(master, args.unit, args.clear)
        _emit(args, result, render.counters(result))
    elif cmd == "watch":
        result = commands.watch(master, args.unit, profile, args.count, args.interval,
                                lambda snap: render.show_snapshot(snap, args.json))
    elif cmd == "read":
        if args.list:
            ident = commands.who(master, args.unit, profile)
            if not ident.role:
                raise UsageError("unit %d is a third-party device (%s): it has points, not our "
                                 "register map" % (args.unit, ident.kind), "use diag info")
            result = commands.list_registers(ident.role)
            _emit(args, result, render.register_list(result))
            return 0
        if not args.register:
            raise UsageError("which register?", "give a name or address, or --list")
        result = commands.read(master, args.unit, args.register, profile)
        _emit(args, result, render.read(result))
    elif cmd == "write":
        confirm = (lambda q: True) if args.yes else commands.ask_on_terminal
        result = commands.write(master, args.unit, args.register, args.value, profile, confirm)
        _emit(args, result, render.write(result))
    elif cmd == "bus":
        port, instance = target.settings.port, master.stats.instance
        if args.reset:
            clear_session(session_dir, port)
        expected = {d.unit: d.name for d in target.expected}
        units = args.units or sorted(set(load_session(session_dir, port, instance).units)
                                     | set(expected))
        master.retries = 0  # a poll is one request: the rates are the line's, not the retries'
        show = render.poll_progress if not args.json else (lambda *_: None)
        total = args.poll * len(units)
        for round_ in range(args.poll):
            for index, unit in enumerate(units):
                try:
                    master.read_registers(unit, 0, 1)
                except Exception:  # noqa: BLE001 - every failure is already counted in stats
                    pass
                show(round_ * len(units) + index + 1, total, args.poll)
        save_session(session_dir, master.stats)
        master.stats.units.clear()
        master.stats.total = type(master.stats.total)()
        session = load_session(session_dir, port, instance)
        result = {"ok": True, "port": port,
                  "since": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(session.started)),
                  "polled": {"rounds": args.poll, "units": units},
                  **bus_view(session, expected)}
        _emit(args, result, render.bus(result))
    return 0
