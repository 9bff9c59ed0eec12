"""Guard patrol on the simulated campus (issue 15 "Done when"): a guard's round is logged with its
times; a skipped checkpoint raises trouble within one minute of its window closing. Real
checkpoint firmware under MicroPython decoding Wiegand frames from the reader plant, the host in
process on a policy clock the test moves (the site's round times are fixed)."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from controller.service.host import Host
from controller.service.paths import StatePaths
from controller.service.ports import sim_ports
from controller.site import load_site
from protocols import events as E
from sim import Campus

HERE = Path(__file__).resolve().parent
SITE = HERE / "patrol-campus.toml"
ROUTE = ("gate-checkpoint", "teaching-checkpoint", "dormitory-checkpoint")
LI_NA = "0x12D04D2"

pytestmark = [pytest.mark.slow, pytest.mark.timeout(150)]


class MovableClock:
    """Real time passing, from 21:59:30 Shanghai on a Tuesday, plus jumps the test makes."""

    def __init__(self) -> None:
        self.base = datetime(2026, 11, 24, 21, 59, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
        self.t0 = time.monotonic()
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return self.base + timedelta(seconds=time.monotonic() - self.t0) + self.offset

    def jump_to(self, hh: int, mm: int, ss: int) -> None:
        target = self.base.replace(hour=hh, minute=mm, second=ss)
        self.offset += target - self()


async def _until(predicate, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


async def _read(host: Host, campus: Campus, checkpoint: str, uid: str) -> None:
    before = len(host.store.query(kind=E.PATROL_READ))
    await campus.inject("tag", checkpoint, uid)
    await _until(lambda: len(host.store.query(kind=E.PATROL_READ)) > before, 20,
                 f"the tag read at {checkpoint} to reach the host")


async def test_round_is_logged_and_a_skipped_checkpoint_is_trouble(tmp_path):
    site = load_site(SITE)
    clock = MovableClock()
    async with Campus.start(SITE, tmp_path / "sim") as campus:
        host = Host(site, StatePaths(tmp_path / "state"), sim_ports(site, tmp_path / "sim"),
                    policy_clock=clock)
        await host.start()
        try:
            await _until(lambda: all(d["online"] for d in host.status()["devices"]), 30,
                         "every checkpoint online")
            clock.jump_to(22, 0, 5)
            for checkpoint in ROUTE:
                await _read(host, campus, checkpoint, LI_NA)
            done = await _until(lambda: host.store.query(kind=E.PATROL_ROUND_COMPLETE), 10,
                                "the completed round in the log")
            assert done[0].data["operator"] == "li.na" and done[0].data["round"] == 1
            assert [cp for cp, _ in done[0].data["times"]] == list(ROUTE)
            assert all(t.startswith("22:0") for _, t in done[0].data["times"])

            clock.jump_to(22, 5, 5)  # round 2: the guard skips the teaching block
            await _read(host, campus, "gate-checkpoint", LI_NA)
            await _read(host, campus, "dormitory-checkpoint", LI_NA)
            assert not host.store.query(kind=E.PATROL_MISSED), "nothing missed before the close"
            clock.jump_to(22, 8, 0)  # the window closed at 22:08:00
            closed_at = time.monotonic()
            missed = await _until(lambda: host.store.query(kind=E.PATROL_MISSED), 60,
                                  "the missed checkpoint as trouble")
            assert time.monotonic() - closed_at < 60, "trouble within one minute of the close"
            assert [m.device for m in missed] == ["teaching-checkpoint"]
            assert "TROUBLE" in missed[0].message
            assert len(host.store.query(kind=E.PATROL_ROUND_COMPLETE)) == 1
        finally:
            await host.stop()
