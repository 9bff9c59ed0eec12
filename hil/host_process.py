"""The host under test: `campusguard run` as its own process, against a target's buses.

The host is started with `--sim DIR` where DIR/sim.json names the ports it must open. For
benchmarks those are the wire taps' ptys (hil/bench/wire_tap.py), for plain scenarios the
target's ports directly; on real hardware the same file names the USB adapters' paths. Guard
actions go through the same CLI verbs a guard uses (`campusguard lockdown|clear|status`).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from hil.targets.target import BusPort, DeviceInfo

SUPERVISOR = "zhang.wei"  # the rig's operators, added to the host's state dir before it starts
GUARD_1 = "li.na"
GUARD_2 = "chen.jie"
# (name, role, password, PIN): the rig acts from one OS account, so each proves who they are
# with their own PIN, as a guard at a shared screen does.
OPERATORS = ((SUPERVISOR, "supervisor", "hil supervisor password", "731946"),
             (GUARD_1, "guard", "hil guard one password", "2580"),
             (GUARD_2, "guard", "hil guard two password", "4682"))
PINS = {name: pin for name, _, _, pin in OPERATORS}


class HostError(RuntimeError):
    """The host under test failed to start, died, or refused a command."""


def write_ports_file(directory: Path, buses: Mapping[str, BusPort], devices: Mapping[str, DeviceInfo],
                     ports: Mapping[str, str] | None = None) -> Path:
    """DIR/sim.json (schema in DESIGN.md) naming the ports the host must open: `ports` overrides
    the buses' own (the wire taps)."""
    directory.mkdir(parents=True, exist_ok=True)
    doc = {
        "ready": True,
        "buses": {
            name: {"port": (ports or {}).get(name, bus.port), "baud": bus.baud, "parity": bus.parity,
                   "stopbits": bus.stopbits}
            for name, bus in buses.items()
        },
        "devices": [{"name": d.name, "bus": d.bus, "unit": d.unit, "role": d.role} for d in devices.values()],
    }
    path = directory / "sim.json"
    path.write_text(json.dumps(doc, indent=1) + "\n")
    return path


def _cli() -> list[str]:
    return [sys.executable, "-m", "campusguard.cli"]


class HostProcess:
    def __init__(self, site_path: Path, ports_dir: Path, state_dir: Path, log_path: Path | None = None):
        self.site_path = site_path
        self.ports_dir = ports_dir
        self.state_dir = state_dir
        self.log_path = log_path or state_dir / "host.log"
        self._proc: asyncio.subprocess.Process | None = None
        self._log = None

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["CAMPUSGUARD_STATE"] = str(self.state_dir)
        return env

    async def start(self, ready_timeout_s: float = 60.0, want_online: int | None = None,
                    must_be_online: tuple[str, ...] = ()) -> dict:
        """Start the host; return its first status in which `want_online` devices, and every
        device named in `must_be_online`, are online."""
        from controller.identity.seed import ensure_operators

        self.state_dir.mkdir(parents=True, exist_ok=True)
        ensure_operators(self.state_dir, OPERATORS)
        self._log = open(self.log_path, "ab")
        self._proc = await asyncio.create_subprocess_exec(
            *_cli(), "run", "--site", str(self.site_path), "--sim", str(self.ports_dir),
            "--state-dir", str(self.state_dir),
            stdout=self._log, stderr=asyncio.subprocess.STDOUT, env=self.env,
        )
        deadline = time.monotonic() + ready_timeout_s
        offline: list[str] = []
        while time.monotonic() < deadline:
            if self._proc.returncode is not None:
                raise HostError("the host exited with %s while starting; log: %s" % (self._proc.returncode, self.tail()))
            try:
                status = await self.status()
            except HostError:
                await asyncio.sleep(0.3)
                continue
            offline = [d["name"] for d in status.get("devices", ()) if not d.get("online")]
            online = len(status.get("devices", ())) - len(offline)
            if (want_online is None or online >= want_online) and not set(must_be_online) & set(offline):
                return status
            await asyncio.sleep(0.3)
        raise HostError("the host was not ready within %.0f s: offline %s; log: %s"
                        % (ready_timeout_s, ", ".join(offline) or "?", self.tail()))

    def tail(self, chars: int = 1500) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    async def kill(self) -> None:
        """kill -9: the scenario 'host killed mid-lockdown'."""
        if self._proc and self._proc.returncode is None:
            self._proc.send_signal(signal.SIGKILL)
            await self._proc.wait()
        if self._log:
            self._log.close()
            self._log = None

    async def stop(self) -> None:
        if self._proc and self._proc.returncode is None:
            self._proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self._proc.wait(), 10)
            except TimeoutError:
                self._proc.kill()
                await self._proc.wait()
        if self._log:
            self._log.close()
            self._log = None

    async def verb(self, *args: str, timeout_s: float = 20.0) -> str:
        proc = await asyncio.create_subprocess_exec(
            *_cli(), *args, "--state-dir", str(self.state_dir),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=self.env,
        )
        try:
            out, err = await asyncio.wait_for(proc.communicate(), timeout_s)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise HostError("campusguard %s took over %.0f s" % (" ".join(args), timeout_s)) from None
        if proc.returncode != 0:
            raise HostError("campusguard %s exited %d: %s" % (" ".join(args), proc.returncode,
                                                               (err or out).decode(errors="replace").strip()))
        return out.decode()

    async def control(self, payload: dict) -> dict:
        """One request on the host's control socket (the same one the CLI verbs use)."""
        from controller.service.control_client import HostUnreachable, request
        from controller.service.paths import StatePaths

        socket_path = StatePaths.of(self.state_dir).control_socket
        try:
            return await asyncio.to_thread(request, socket_path, payload, 15.0)
        except HostUnreachable as exc:
            raise HostError(str(exc)) from None

    async def status(self) -> dict:
        return (await self.control({"verb": "status"}))["status"]

    async def act(self, verb: str, reason: str, user: str, refused_ok: bool = False, **extra: str | None) -> dict:
        reply = await self.control({"verb": verb, "user": user, "pin": PINS[user], "reason": reason,
                                    **extra})
        if reply.get("refused") and refused_ok:
            return reply
        if not reply.get("ok") or reply.get("refused"):
            raise HostError("the host refused %s by %s: %s" % (verb, user, reply.get("error") or reply))
        return reply

    async def lockdown(self, reason: str, zone: str | None = None, user: str = GUARD_1) -> dict:
        return await self.act("lockdown", reason, user, zone=zone)

    async def clear(self, reason: str, zone: str | None = None, user: str = SUPERVISOR,
                    refused_ok: bool = False) -> dict:
        """refused_ok: "nothing to clear" is an answer, not an error (a trial that never locked down)."""
        return await self.act("clear", reason, user, refused_ok=refused_ok, zone=zone)

    async def drill(self, kind: str, reason: str, user: str = SUPERVISOR) -> dict:
        return await self.act("drill", reason, user, kind=kind)

    async def events(self, kind: str | None = None) -> list[dict]:
        args = ["events", "--json"] + (["--kind", kind] if kind else [])
        return json.loads(await self.verb(*args))
