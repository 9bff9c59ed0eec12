"""Issue 11 item 7: 1 % line noise on the demo campus for 60 s declares no powered device offline,
and a device that loses power is still declared offline (controller/bus/health.py's rule).
Simulator only: the sim bus's `noise` fault (random bursts taking 1 % of line time, like
`campusguard sim inject noise BUS --rate 0.01`) has no counterpart on the rig."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from pathlib import Path

import pytest

from hil.host_process import HostProcess, write_ports_file
from hil.scenarios.waiting import eventually
from protocols import events as E

DEMO_SITE = Path(__file__).resolve().parents[2] / "sites" / "demo-campus.toml"
NOISE_S = 60.0


def _ts(event: dict) -> float:
    return datetime.fromisoformat(event["ts"].replace("Z", "+00:00")).timestamp()


@pytest.mark.slow
@pytest.mark.timeout(600)
async def test_one_percent_noise_for_a_minute_takes_no_powered_device_offline(request, tmp_path):
    if request.config.getoption("--target") != "sim":
        pytest.skip("line noise is a simulator fault")
    from hil.targets.sim_target import SimTarget

    target = SimTarget(DEMO_SITE, tmp_path / "sim", boot_timeout_s=120.0)
    await target.start()
    host = None
    try:
        write_ports_file(tmp_path / "ports", target.buses, target.devices)
        host = HostProcess(DEMO_SITE, tmp_path / "ports", tmp_path / "host")
        await host.start(ready_timeout_s=120.0, want_online=len(target.devices))
        print(f"\nnoise on at {datetime.utcnow().isoformat()}Z")
        for bus in target.buses:
            await target.campus.inject("noise", bus, 0.01)
        await asyncio.sleep(NOISE_S)

        status = await host.status()
        assert all(d["online"] for d in status["devices"]), [d["name"] for d in status["devices"] if not d["online"]]
        failures = {name: (bus["failures"], bus["transactions"], bus["line_error_pct"])
                    for name, bus in status["buses"].items()}
        assert all(f > 0 for f, _, _ in failures.values()), f"the noise really garbled frames: {failures}"
        events = await host.events()
        offline = [e for e in events if e["kind"] == E.TROUBLE_OFFLINE]
        assert offline == [], f"false offline under 1 % noise: {[e['device'] for e in offline]}"
        # comm_loss is the firmware's side of item 7 (heartbeat-only today): counted, reported
        comm_loss = [e["device"] for e in events if e["kind"] != E.TROUBLE_RESTORE
                     and (e.get("data") or {}).get("fault") == "comm_loss"]

        # still under noise: a detector that loses power is declared offline
        dead = "classroom-2a-smoke"
        await target.power(dead, False)
        cut = time.time()

        async def reported() -> bool:
            return any(e["device"] == dead for e in await host.events(E.TROUBLE_OFFLINE))

        # generous: at this line's error rate the evidence rule may need 40 failures (health.py)
        await eventually(reported, 150.0, f"trouble.offline for {dead} after its power was cut "
                         f"(bus failures, transactions, line error %: {failures})")
        report = [e for e in await host.events(E.TROUBLE_OFFLINE) if e["device"] == dead][0]
        others = [e["device"] for e in await host.events(E.TROUBLE_OFFLINE) if e["device"] != dead]
        assert others == [], f"false offline under 1 % noise: {others}"
        print(f"\n1 % noise {NOISE_S:.0f} s: false offline 0; bus failures/transactions/line error % {failures}; "
              f"dead device reported {_ts(report) - cut:.2f} s after its power was cut; "
              f"comm_loss raised by {len(comm_loss)} devices")
    finally:
        if host is not None:
            await host.stop()
        await target.close()
