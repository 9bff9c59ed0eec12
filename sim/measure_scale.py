"""Start a large simulated site and report its start time and the memory of each device process.

    .venv/bin/python -m sim.measure_scale [--buses 2] [--per-bus 32] [--json]

The site is generated (roles in turn: panic, smoke, gate, bollard) into a temporary directory. RSS
is VmRSS from /proc of each device's process once every device has booted, and again after a few
seconds of idle running; then every device is read once through its bus's pty.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

from sim.campus import Campus
from sim.measure_round_trip import measure_bus

_ROLES = ("panic", "smoke", "gate", "bollard")
_BAUDS = (115200, 19200)


def scale_site(buses: int, per_bus: int) -> str:
    lines = ['[site]\nname = "scale test"\ntimezone = "UTC"\n',
             '[[zones]]\nname = "scale"\ndescription = "generated"\n']
    for b in range(buses):
        lines.append(
            f'[[buses]]\nname = "bus-{b}"\nbaud = {_BAUDS[b % 2]}\nport = "/dev/null"\nparity = "N"\nstopbits = 1\n'
        )
    for b in range(buses):
        for unit in range(1, per_bus + 1):
            role = _ROLES[(unit - 1) % len(_ROLES)]
            lines.append(
                f'[[devices]]\nname = "b{b}-{role}-{unit}"\nbus = "bus-{b}"\nunit = {unit}\nrole = "{role}"\nzone = "scale"\n'
            )
    return "\n".join(lines)


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def summary(values: list[int]) -> dict:
    return {
        "median_mib": round(statistics.median(values) / 1024, 1),
        "max_mib": round(max(values) / 1024, 1),
        "total_mib": round(sum(values) / 1024, 1),
    }


async def run(buses: int, per_bus: int, idle_s: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="cg-scale-") as tmp:
        site = Path(tmp) / "scale.toml"
        site.write_text(scale_site(buses, per_bus))
        started = time.monotonic()
        async with Campus.start(site, Path(tmp) / "state", boot_timeout_s=120) as campus:
            boot_s = time.monotonic() - started
            pids = [d.process.pid for d in campus.devices.values() if d.process and d.process.pid]
            at_boot = [v for v in (rss_kib(p) for p in pids) if v]
            await asyncio.sleep(idle_s)
            idle = [v for v in (rss_kib(p) for p in pids) if v]
            answered = {}
            described = campus.describe()
            for name, bus in described["buses"].items():
                devices = [d for d in described["devices"] if d["bus"] == name]
                result = await asyncio.to_thread(measure_bus, bus["port"], bus["baud"], devices, 1)
                answered[name] = sum(int(r["answered"].split("/")[0]) for r in result["devices"])
            crashes = sum(d.process.crashes for d in campus.devices.values() if d.process)
    return {
        "devices": buses * per_bus,
        "buses": buses,
        "cpus": os.cpu_count(),
        "start_s": round(boot_s, 2),
        "rss_per_device_at_boot": summary(at_boot),
        "rss_per_device_after_idle": summary(idle),
        "idle_s": idle_s,
        "simulator_max_rss_mib": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
        ),
        "device_crashes": crashes,
        "answered_one_read_each": answered,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buses", type=int, default=2)
    parser.add_argument("--per-bus", type=int, default=32)
    parser.add_argument(
        "--idle", type=float, default=5.0, help="seconds of running before the second sample"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(run(args.buses, args.per_bus, args.idle))
    print(json.dumps(result, indent=2 if not args.json else None))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
