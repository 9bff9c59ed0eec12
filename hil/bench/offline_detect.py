"""Dead-device detection time and false offline count (issue 11 item 7), on the simulator.

    python -m hil.bench.offline_detect [--site FILE] [--noise RATE] [--soak S] [--trials N]

Boots the site on the simulator and the host against it, puts `noise` on every bus (the sim's
`noise` fault, as `campusguard sim inject noise BUS --rate R`), counts the trouble.offline events of
powered devices over `soak` seconds, then cuts the power of one device after another and times
power cut -> trouble.offline in the host's log (wall clock, the log's ms stamps). Prints one line
per figure; nothing here asserts: the scenario test does (hil/scenarios/test_scenario_noise_offline.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from datetime import datetime
from pathlib import Path

from hil.host_process import HostProcess, write_ports_file
from hil.targets.sim_target import SimTarget
from protocols import events as E

REPO = Path(__file__).resolve().parents[2]


def _ts(event: dict) -> float:
    return datetime.fromisoformat(event["ts"].replace("Z", "+00:00")).timestamp()


async def measure(site: Path, noise: float, soak_s: float, trials: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="cg-offline-"))
    target = SimTarget(site, work / "sim", boot_timeout_s=120.0)
    await target.start()
    host = None
    try:
        write_ports_file(work / "ports", target.buses, target.devices)
        host = HostProcess(site, work / "ports", work / "host")
        await host.start(ready_timeout_s=120.0, want_online=len(target.devices))
        print("load average at start: %.2f" % os.getloadavg()[0])
        for bus in target.buses:
            await target.campus.inject("noise", bus, noise)
        await asyncio.sleep(soak_s)
        false = [e["device"] for e in await host.events(E.TROUBLE_OFFLINE)]
        status = await host.status()
        print("noise %.3f, %.0f s: false offline %d %s; buses %s" % (
            noise, soak_s, len(false), false,
            {n: (b["failures"], b["transactions"], b["line_error_pct"]) for n, b in status["buses"].items()}))
        by_bus: dict[str, list[str]] = {}
        for name, info in target.devices.items():
            if name not in false:
                by_bus.setdefault(info.bus, []).append(name)
        victims = [names[i] for i in range(max(map(len, by_bus.values()))) for names in by_bus.values()
                   if i < len(names)][:trials]  # alternate buses
        times = []
        for name in victims:
            await target.power(name, False)
            cut = time.time()
            deadline = time.monotonic() + 120
            report = None
            while report is None and time.monotonic() < deadline:
                report = next((e for e in await host.events(E.TROUBLE_OFFLINE) if e["device"] == name
                               and _ts(e) >= cut - 0.5), None)
                await asyncio.sleep(0.2)
            took = _ts(report) - cut if report else None
            times.append(took)
            print("%s (%s): %s" % (name, target.devices[name].bus,
                                   "reported offline after %.2f s" % took if took is not None else "not reported in 120 s"))
            await target.power(name, True)
        done = sorted(t for t in times if t is not None)
        if done:
            print("detection: n=%d p50 %.2f s max %.2f s; load average at end: %.2f"
                  % (len(done), done[len(done) // 2], done[-1], os.getloadavg()[0]))
    finally:
        if host is not None:
            await host.stop()
        await target.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=REPO / "sites" / "demo-campus.toml")
    parser.add_argument("--noise", type=float, default=0.0)
    parser.add_argument("--soak", type=float, default=10.0)
    parser.add_argument("--trials", type=int, default=4)
    args = parser.parse_args()
    asyncio.run(measure(args.site, args.noise, args.soak, args.trials))


if __name__ == "__main__":
    main()
