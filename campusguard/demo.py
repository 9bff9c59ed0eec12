"""`campusguard demo` (and `make demo`): a scripted school morning on the simulated demo campus.

The simulator runs in its own process (`campusguard sim up`: the real firmware under MicroPython on
timed RS-485 ptys); the host runs here, against those ptys, exactly as `campusguard run --sim`.
The campus clock is a simulated Monday morning starting 07:19:45 (Asia/Shanghai) that advances in
real time, so the arrival window opens a few seconds in. Guards act through the host's control
socket, as `campusguard lockdown|clear|drill` do. Every step must happen, or the exit code is 1.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

MORNING = datetime(2026, 11, 23, 7, 19, 45, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday
# The demo campus's operators (name, role, password, PIN), added to the demo's state dir as
# `campusguard user add` would. Demo credentials only: a real site chooses its own.
DEMO_OPERATORS = (("zhang.wei", "supervisor", "demo supervisor password", "731946"),
                  ("li.na", "guard", "demo guard one password", "2580"),
                  ("chen.jie", "guard", "demo guard two password", "4682"))
DEMO_PINS = {name: pin for name, _, _, pin in DEMO_OPERATORS}
SHOWN = ("schedule.start", "schedule.end", "panic.alarm", "panic.ack", "lockdown.set",
         "lockdown.clear_pending", "lockdown.clear", "lockdown.clear_refused", "drill.start",
         "drill.end", "fire.confirmed", "operator.action", "trouble.offline")


class DemoFailed(Exception):
    """A step of the scripted morning did not happen."""


def register(subparsers) -> None:
    p = subparsers.add_parser("demo", help="the scripted morning on the simulated demo campus")
    p.add_argument("--site", default=None, help="site file (default: sites/demo-campus.toml)")
    p.add_argument("--state-dir", default=None, help="keep the sim and host state here (default: a temp dir)")
    p.add_argument("--trials", type=int, default=0,
                   help="after the morning, repeat panic -> lockdown -> clear N times and print the "
                        "panic-to-commanded latency distribution")
    p.set_defaults(func=run_demo)


def run_demo(args) -> int:
    from controller.site import default_site_path

    site_path = Path(args.site or default_site_path())
    if args.state_dir:
        return asyncio.run(Demo(site_path, Path(args.state_dir), args.trials).run())
    with tempfile.TemporaryDirectory(prefix="campusguard-demo-") as tmp:
        return asyncio.run(Demo(site_path, Path(tmp), args.trials).run())


class Demo:
    def __init__(self, site_path: Path, root: Path, trials: int = 0):
        from controller.site import load_site

        self.site = load_site(site_path)
        self.root = root
        self.sim_dir = root / "sim"
        self.started = time.monotonic()
        self.host = None
        self.sim: subprocess.Popen | None = None
        self._shown_id = 0
        self.figures: dict[str, float] = {}
        self.trials = trials

    # ------------------------------------------------------------------ clock and printing
    def campus_now(self) -> datetime:
        return (MORNING + timedelta(seconds=time.monotonic() - self.started)).astimezone(timezone.utc)

    def say(self, text: str) -> None:
        local = self.campus_now().astimezone(MORNING.tzinfo)
        print(f"{local:%H:%M:%S}  +{time.monotonic() - self.started:5.1f}s  {text}", flush=True)

    def show_new_events(self) -> None:
        if self.host is None:
            return
        for record in self.host.store.query(after_id=self._shown_id):
            self._shown_id = record.id
            if record.kind in SHOWN or (record.kind == "command.sent" and record.data.get("broadcast")):
                drill = " [DRILL]" if record.drill else ""
                self.say(f"    {record.kind}{drill}: {record.message}")

    # ------------------------------------------------------------------ the processes
    def start_sim(self) -> None:
        env = {**os.environ}  # the device heap is the simulator's default ($CAMPUSGUARD_SIM_HEAPSIZE)
        self.root.mkdir(parents=True, exist_ok=True)
        log = open(self.root / "sim.log", "wb")
        self.sim = subprocess.Popen(
            [sys.executable, "-m", "campusguard.cli", "sim", "up", "--site", str(self.site.path),
             "--state-dir", str(self.sim_dir)], stdout=log, stderr=subprocess.STDOUT, env=env,
            start_new_session=True)

    def stop_sim(self) -> None:
        if self.sim is not None and self.sim.poll() is None:
            self.sim.terminate()
            try:
                self.sim.wait(20)
            except subprocess.TimeoutExpired:
                self.sim.kill()
                self.sim.wait(5)

    async def wait(self, predicate, timeout_s: float, what: str):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self.show_new_events()
            result = predicate()
            if result:
                return result
            await asyncio.sleep(0.1)
        self.show_new_events()
        raise DemoFailed(f"{what}: did not happen within {timeout_s:.0f} s")

    def states(self, *names: str) -> dict[str, str]:
        views = {v.name: v for v in self.host.registry.views()}
        return {n: views[n].state for n in names}

    def barriers(self, kind: str) -> list[str]:
        return [d.name for d in self.site.devices if d.kind == kind]

    async def guard(self, verb: str, user: str, reason: str, **more) -> dict:
        from controller.service.control_client import request

        # The demo runs from one OS account: each person proves who they are with their own PIN
        # (typing a name alone proves nothing, and one account is never two guards).
        reply = await asyncio.to_thread(request, self.host.paths.control_socket,
                                        {"verb": verb, "user": user, "pin": DEMO_PINS[user],
                                         "reason": reason, **more})
        if not reply.get("ok"):
            raise DemoFailed(f"{verb} by {user} refused: {reply.get('error')}")
        return reply

    # ------------------------------------------------------------------ the morning
    async def run(self) -> int:
        try:
            await self._morning()
            if self.trials:
                await self._latency_trials()
        except DemoFailed as exc:
            print(f"\nDEMO FAILED: {exc}\n(logs: {self.root})", file=sys.stderr)
            return 1
        finally:
            if self.host is not None:
                try:
                    await asyncio.wait_for(self.host.stop(), 15)
                except asyncio.TimeoutError:
                    print("warning: the host did not stop cleanly within 15 s", file=sys.stderr)
            self.stop_sim()
        print("\nDemo complete: every step happened.")
        for name, value in self.figures.items():
            print(f"  {name}: {value:.1f} ms")
        return 0

    async def _morning(self) -> None:
        from controller.service.host import Host
        from controller.service.paths import StatePaths
        from controller.service.ports import sim_ports
        from sim.control_client import request as sim_request

        print(f"CampusGuard demo: {self.site.name}, {len(self.site.devices)} devices on "
              f"{len(self.site.buses)} RS-485 buses (simulated, real firmware under MicroPython)")
        self.say("starting the simulated campus")
        self.start_sim()
        await self.wait(lambda: (self.sim_dir / "sim.json").exists() or self.sim.poll() is not None,
                        90, "the simulated campus to boot")
        if self.sim.poll() is not None:
            raise DemoFailed(f"the simulator exited: see {self.root / 'sim.log'}")
        from controller.identity.seed import ensure_operators

        ensure_operators(self.root / "state", DEMO_OPERATORS)
        self.say("operators: " + ", ".join(f"{n} ({r})" for n, r, _, _ in DEMO_OPERATORS)
                 + " -- each with a password and a PIN (argon2id, state/operators.db)")
        self.host = Host(self.site, StatePaths(self.root / "state"), sim_ports(self.site, self.sim_dir),
                         policy_clock=self.campus_now)
        await self.host.start()
        self.say("guard-room host running; polling every device")
        names = {d.name for d in self.site.devices}
        await self.wait(lambda: names <= {v.name for v in self.host.registry.views() if v.online}, 40,
                        "every device to answer")
        for bus, info in self.host.status()["buses"].items():
            self.say(f"  bus {bus}: {info['baud']} baud, priority cycle {info['cycle_ms']:.0f} ms "
                     f"(computed {info['estimated_cycle_ms']:.0f} ms)")

        # 1. arrival window
        self.say("07:20 arrival window: the pedestrian gate opens, the pick-up bollards rise")
        await self.wait(lambda: self.states("east-pedestrian-gate", "pickup-bollard-1", "pickup-bollard-2")
                        == {"east-pedestrian-gate": "open", "pickup-bollard-1": "up", "pickup-bollard-2": "up"},
                        40, "the arrival window's gate and bollards")

        # 2. panic at the kindergarten block
        self.say("a teacher presses the panic button in the kindergarten block")
        pressed = time.monotonic()
        await asyncio.to_thread(sim_request, self.sim_dir,
                                {"op": "inject", "action": "panic", "target": "kindergarten-panic", "value": None})
        sent = await self.wait(self.lockdown_commanded, 15, "the lockdown command to every barrier")
        detect_to_frame = max(e.data["t0_to_t1_ms"] for e in sent)
        press_to_frame = max((e.data["t1_mono"] - pressed) * 1000 for e in sent)
        self.figures["panic detected -> lockdown frame to every barrier (max over frames)"] = detect_to_frame
        self.figures["button press injected -> lockdown frame (incl. 200 ms hold_ms and the poll)"] = press_to_frame
        self.say(f"LOCKDOWN commanded {detect_to_frame:.0f} ms after the press was detected "
                 f"({press_to_frame:.0f} ms after the button was pressed, including its 200 ms "
                 "anti-false-trigger hold)")
        gates, bollards = self.barriers("gate"), self.barriers("bollard")
        want = {**{g: "locked" for g in gates}, **{b: "up" for b in bollards}}
        await self.wait(lambda: self.states(*want) == want, 40, "every gate locked and every bollard up")
        confirmed = [e.data["t0_to_t2_ms"] for e in self.host.store.query(kind="command.confirmed")
                     if e.data.get("trigger") == "panic.alarm" and e.data.get("stage") == "physical"]
        self.figures["panic detected -> last barrier confirmed secure"] = max(confirmed)
        self.say(f"every gate locked and every bollard up: campus secured "
                 f"{max(confirmed) / 1000:.1f} s after the press was detected")

        # 3. clear by two guards
        self.say("police give the all clear; guard li.na asks to clear")
        await self.guard("clear", "li.na", "police all clear")
        if self.host.state.mode != "lockdown":
            raise DemoFailed("one guard alone cleared the lockdown")
        self.say("a second guard, chen.jie, confirms with his own PIN (two people, two proofs)")
        await self.guard("clear", "chen.jie", "confirmed all clear on the cameras")
        await self.wait(lambda: self.host.state.mode == "normal", 10, "the two-guard clear")
        await self.guard("reset", "zhang.wei", "station checked", device="kindergarten-panic")

        # 4. fire drill
        self.say("supervisor zhang.wei starts the term's fire drill")
        before = self.host.store.last_id()
        await self.guard("drill", "zhang.wei", "autumn term fire drill", kind="fire")
        evac = [d.name for d in self.site.devices if d.evacuation_route]
        lanes = [d.name for d in self.site.devices if d.fire_lane]
        want = {**{g: "open" for g in evac}, **{b: "down" for b in lanes}}
        await self.wait(lambda: self.states(*want) == want, 40,
                        "evacuation gates open and fire-lane bollards down in the drill")
        self.say("evacuation route open, fire lane clear; the drill ends")
        await self.guard("drill", "zhang.wei", "drill complete", kind="end")
        await self.host.flush()
        real = [e for e in self.host.store.query(kind="alarm.queued", after_id=before)
                if not e.drill and not e.data.get("report", "").startswith("trouble")]
        if real:
            raise DemoFailed(f"the drill raised a real alarm: {real[0].message}")
        self.say("the drill sent test reports only: no real alarm was raised")
        await asyncio.sleep(0.5)
        self.show_new_events()
        for bus, info in self.host.status()["buses"].items():
            self.say(f"bus {bus}: priority cycle now {info['cycle_ms']:.0f} ms, worst "
                     f"{info['max_cycle_ms']:.0f} ms (computed {info['estimated_cycle_ms']:.0f} ms); "
                     f"{info['failures']} of {info['transactions']} polls unanswered")

    def lockdown_commanded(self, after_id: int | None = None) -> list | None:
        """The panic-triggered lockdown frames once every gate and bollard has been sent one (a
        broadcast where the bus is all ours, unicast writes where it is shared), else None."""
        kwargs = {"after_id": after_id} if after_id is not None else {}
        found = [e for e in self.host.store.query(kind="command.sent", **kwargs)
                 if e.data.get("trigger") == "panic.alarm" and e.data.get("action") == "mode_lockdown"]
        covered = {name for e in found for name in (e.data.get("devices") or [e.device])}
        barriers = set(self.barriers("gate")) | set(self.barriers("bollard"))
        if not barriers <= covered:
            return None
        return [e for e in found if set(e.data.get("devices") or [e.device]) & barriers]

    async def _latency_trials(self) -> None:
        """panic_to_commanded, repeated: press, lockdown frame to every barrier, two-guard clear,
        station reset. t0 = the poll that saw the press; t1 = the frame handed to the port."""
        from sim.control_client import request as sim_request

        detect, press = [], []
        for trial in range(self.trials):
            before = self.host.store.last_id()
            pressed = time.monotonic()
            await asyncio.to_thread(sim_request, self.sim_dir, {"op": "inject", "action": "panic",
                                                                "target": "kindergarten-panic", "value": None})

            sent = await self.wait(lambda before=before: self.lockdown_commanded(before), 15,
                                   f"trial {trial + 1}: the lockdown command to every barrier")
            detect.append(max(e.data["t0_to_t1_ms"] for e in sent))
            press.append(max((e.data["t1_mono"] - pressed) * 1000 for e in sent))
            await self.guard("clear", "zhang.wei", f"latency trial {trial + 1} done")
            await self.guard("reset", "zhang.wei", "trial", device="kindergarten-panic")
            await self.wait(lambda: self.states("kindergarten-panic")["kindergarten-panic"] == "idle",
                            15, f"trial {trial + 1}: the station reset")
        for name, values in (("panic detected -> lockdown frame", detect),
                             ("button pressed -> lockdown frame", press)):
            ordered = sorted(values)
            p50, p95 = (ordered[min(len(ordered) - 1, int(q * len(ordered)))] for q in (0.5, 0.95))
            print(f"  {name}, {len(ordered)} trials: p50 {p50:.0f} ms, p95 {p95:.0f} ms, "
                  f"max {ordered[-1]:.0f} ms")
