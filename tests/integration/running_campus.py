"""A simulated campus and a host, each in its own process (as in the field: the host opens the
simulator's ptys like serial ports), driven through their real control sockets."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from controller.identity.seed import ensure_operators
from controller.service.control_client import HostUnreachable
from controller.service.control_client import request as host_request
from controller.store import EventStore
from sim.control_client import request as sim_request

HERE = Path(__file__).resolve().parent
SMALL_SITE = HERE / "small-campus.toml"
# The host is under test here, not the firmware's RAM budget: give the devices room.
# Operators of the small campus (name, role, password, PIN): the tests run as one OS account,
# so every guard proves who they are with their own PIN.
OPERATORS = (("li.na", "guard", "li.na password", "2580"),
             ("chen.jie", "guard", "chen.jie password", "4682"),
             ("zhang.wei", "supervisor", "zhang.wei password", "731946"))
PINS = {name: pin for name, _, _, pin in OPERATORS}


def wait_until(predicate, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
        except (OSError, ValueError, KeyError, HostUnreachable):
            last = None
        if last:
            return last
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


class RunningCampus:
    def __init__(self, root: Path, site: Path = SMALL_SITE):
        self.root = root
        self.site = site
        self.sim_dir = root / "sim"
        self.state_dir = root / "state"
        self.sim: subprocess.Popen | None = None
        self.host: subprocess.Popen | None = None

    def _spawn(self, args: list[str], log: str) -> subprocess.Popen:
        out = open(self.root / log, "ab")
        return subprocess.Popen([sys.executable, "-m", "campusguard.cli", *args], stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)

    def start(self) -> RunningCampus:
        self.root.mkdir(parents=True, exist_ok=True)
        ensure_operators(self.state_dir, OPERATORS)
        self.sim = self._spawn(["sim", "up", "--site", str(self.site), "--state-dir", str(self.sim_dir)],
                               "sim.log")
        try:
            wait_until(lambda: (self.sim_dir / "sim.json").exists(), 60, "the simulator to boot")
            self.start_host()
        except BaseException:  # a fixture that fails here never reaches its own stop()
            self.stop()
            raise
        return self

    def start_host(self, wait_for_devices: bool = True) -> None:
        self.host = self._spawn(["run", "--site", str(self.site), "--sim", str(self.sim_dir),
                                 "--state-dir", str(self.state_dir)], "host.log")
        if not wait_for_devices:
            self.status_when_up()
            return
        names = {d["name"] for d in self.status_when_up()["devices"] if d["role"] != "panic-input"}
        since = max((e.id for e in self.events()), default=0)
        wait_until(lambda: names <= {e.device for e in self.events("device.online") if e.id > since}
                   or names <= {d["name"] for d in self.status()["devices"] if d["online"]}, 30,
                   "every device to have answered")

    def status_when_up(self) -> dict[str, Any]:
        return wait_until(self.status, 15, "the host's control socket")

    def kill_host(self) -> None:
        assert self.host is not None
        self.host.send_signal(signal.SIGKILL)
        self.host.wait(10)
        self.host = None

    def stop(self) -> None:
        running = [p for p in (self.host, self.sim) if p is not None and p.poll() is None]
        for proc in running:
            proc.send_signal(signal.SIGTERM)
        for proc in running:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)  # its own session: only what it started
                proc.wait(5)

    # ------------------------------------------------------------------ driving it
    def inject(self, action: str, target: str, value: Any = None) -> None:
        sim_request(self.sim_dir, {"op": "inject", "action": action, "target": target, "value": value})

    def status(self) -> dict[str, Any]:
        return host_request(self.state_dir / "control.sock", {"verb": "status"}, timeout_s=5)["status"]

    def act(self, verb: str, user: str, reason: str = "test", **more: Any) -> dict[str, Any]:
        return host_request(self.state_dir / "control.sock",
                            {"verb": verb, "user": user, "pin": PINS[user], "reason": reason,
                             **more})

    def device(self, name: str) -> dict[str, Any]:
        return next(d for d in self.status()["devices"] if d["name"] == name)

    def events(self, kind: str | None = None, **filters: Any) -> list:
        store = EventStore(self.state_dir / "events.db")
        try:
            return store.query(kind=kind, **filters)
        finally:
            store.close()

    def log_text(self) -> str:
        return "\n".join(f"{e.kind} {e.device} {e.message} {json.dumps(dict(e.data))}" for e in self.events())
