"""`campusguard sim up|down|inject|status`: run the simulated campus and act on it."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from sim.control_client import request
from sim.errors import SimError, SimNotRunning
from sim.injections import ACTIONS, BY_NAME

DEFAULT_SITE = Path(__file__).resolve().parent.parent / "sites" / "demo-campus.toml"
_DOWN_WAIT_S = 20.0


def default_state_dir() -> Path:
    return Path(os.environ.get("CAMPUSGUARD_STATE", "state"))


def register(subparsers: Any) -> None:
    sim = subparsers.add_parser("sim", help="the simulated campus: up, down, inject, status")
    verbs = sim.add_subparsers(dest="sim_verb", metavar="up|down|inject|status")
    sim.set_defaults(func=lambda args: (sim.print_help(), 2)[1])

    up = verbs.add_parser(
        "up", help="start every device of a site file (foreground; Ctrl-C or `sim down` stops it)"
    )
    _common(up)
    up.add_argument(
        "--site", type=Path, default=DEFAULT_SITE, help="site file (default: the demo campus)"
    )
    up.add_argument(
        "--heapsize",
        default=None,
        help="MicroPython heap per device, the board's RAM (default: $CAMPUSGUARD_SIM_HEAPSIZE or 192k)",
    )
    up.add_argument(
        "--paced-devices",
        action="store_true",
        help="feed device processes paced chunks, not whole bursts (sim/README.md)",
    )
    up.add_argument(
        "--boot-timeout", type=float, default=60.0, help="seconds to wait for every device to boot"
    )
    up.set_defaults(func=_up)

    down = verbs.add_parser("down", help="stop the running simulator cleanly")
    _common(down)
    down.set_defaults(func=_down)

    status = verbs.add_parser(
        "status", help="buses (ports, faults, counters) and devices (power, plant)"
    )
    _common(status)
    status.set_defaults(func=_status)

    inject = verbs.add_parser(
        "inject",
        help="act on a plant, a device or a bus",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="actions:\n"
        + "\n".join(f"  {a.name:<13} {a.target:<6} {a.value or '-':<18} {a.doc}" for a in ACTIONS),
    )
    _common(inject)
    inject.add_argument(
        "action", choices=list(BY_NAME), metavar="ACTION", help="see the list below"
    )
    inject.add_argument(
        "target", metavar="DEVICE|BUS", help="device (or input module input) name, or bus name"
    )
    inject.add_argument("value", nargs="?", help="on|off, a number, or a word, as the action takes")
    inject.add_argument("--level", help="smoke: obscuration %%/m (0 clears)")
    inject.add_argument("--rate", help="noise/corrupt/drop: fraction 0..1 (0 clears)")
    inject.add_argument("--ms", help="latency: milliseconds")
    inject.add_argument("--bytes", help="burst: characters of noise")
    inject.add_argument("--input", help="intrusion, loop-wiring: the zone's loop number (1-based)")
    inject.set_defaults(func=_inject)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=None,
        help="simulator state directory (default: $CAMPUSGUARD_STATE or ./state)",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def _state_dir(args: argparse.Namespace) -> Path:
    # resolved once, here at the edge: every path derived from it is absolute
    return (args.state_dir if args.state_dir is not None else default_state_dir()).resolve()


def _fail(args: argparse.Namespace, exc: Exception) -> int:
    if getattr(args, "json", False):
        print(json.dumps({"ok": False, "error": str(exc)}))
    else:
        print(f"campusguard sim: {exc}", file=sys.stderr)
    return 1


# ---------------------------------------------------------------------- up
def _up(args: argparse.Namespace) -> int:
    try:
        return asyncio.run(_serve(args))
    except SimError as exc:
        return _fail(args, exc)


async def _serve(args: argparse.Namespace) -> int:
    from sim.campus import Campus

    state_dir = _state_dir(args)
    async with Campus.start(
        args.site,
        state_dir,
        heapsize=args.heapsize,
        boot_timeout_s=args.boot_timeout,
        paced_devices=args.paced_devices,
    ) as campus:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, campus.stop_requested.set)
        described = campus.describe()
        if args.json:
            print(json.dumps(described), flush=True)
        else:
            print(
                f"simulated campus up in {described['boot_s']:.1f} s: {len(described['devices'])} devices "
                f"({state_dir / 'sim.json'})"
            )
            for name, bus in described["buses"].items():
                count = sum(1 for d in described["devices"] if d["bus"] == name)
                print(
                    f"  {name}: {bus['port']}  {bus['baud']} {bus['parity']}{bus['stopbits']}  {count} devices"
                )
            print("Ctrl-C or `campusguard sim down` stops it.", flush=True)
        await campus.stop_requested.wait()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    if not args.json:
        print("simulated campus stopped", flush=True)
    return 0


# ---------------------------------------------------------------------- down / status / inject
def _down(args: argparse.Namespace) -> int:
    state_dir = _state_dir(args)
    try:
        request(state_dir, {"op": "down"})
    except SimError as exc:
        return _fail(args, exc)
    deadline = time.monotonic() + _DOWN_WAIT_S
    while (state_dir / "sim.sock").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    stopped = not (state_dir / "sim.sock").exists()
    if args.json:
        print(json.dumps({"ok": stopped, "stopped": stopped}))
    else:
        print(
            "simulator stopped"
            if stopped
            else f"simulator in {state_dir} still stopping after {_DOWN_WAIT_S:.0f} s"
        )
    return 0 if stopped else 1


def _status(args: argparse.Namespace) -> int:
    try:
        result = request(_state_dir(args), {"op": "status"})
    except SimError as exc:
        return _fail(args, exc)
    if args.json:
        print(json.dumps(result))
        return 0
    for name, bus in result["buses"].items():
        counters = " ".join(f"{k}={v}" for k, v in bus["counters"].items() if v)
        faults = " ".join(f"{k}={v}" for k, v in bus["faults"].items() if v)
        print(f"{name}  {bus['port']}  {bus['baud']}  {counters or 'no traffic'}  {faults}")
    for device in result["devices"]:
        power = "on " if device["powered"] else "OFF"
        flags = " CUT" if device["cut"] else ""
        print(
            f"  {device['name']:<30} {device['bus']:<14} {device['unit']:>3} {device['role']:<20} {power}{flags}  {device['plant']['summary']}"
        )
    return 0


def _inject(args: argparse.Namespace) -> int:
    value = args.value
    for option in (args.level, args.rate, args.ms, args.bytes):
        if option is not None:
            value = option
    target = args.target if args.input is None else f"{args.target}:{args.input}"
    try:
        result = request(
            _state_dir(args),
            {"op": "inject", "action": args.action, "target": target, "value": value},
        )
    except SimNotRunning as exc:
        return _fail(args, exc)
    except SimError as exc:
        return _fail(args, exc)
    if args.json:
        print(json.dumps({"ok": True, "result": result}))
    else:
        shown = "" if value is None else f" {value}"
        print(f"injected {args.action} {args.target}{shown}")
    return 0
