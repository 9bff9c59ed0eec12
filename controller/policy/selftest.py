"""Device self-tests, recorded as tests and never as alarms.

- Smoke detector: the host puts it into its own test mode (command test_start: LED, sounder and
  relay exercised by the detector itself) and expects it to report the test state within
  SMOKE_TEST_S; then it ends the test (test_stop). A detector that never gets there fails.
- Panic station walk test: a guard standing at the station starts the test; the next press AT
  THAT STATION within WALK_TEST_S is recorded as a test: acknowledged to the station (green LED),
  no lockdown, no police report. One press ends the test; the station latches as always and is
  reset with its key. A press at any other station, or after the window, is a real alarm.
Self-tests run only in normal mode: during a lockdown, a fire or a drill every press is real.
"""

from __future__ import annotations

from datetime import timedelta

from controller.policy.authority import refusal
from controller.policy.decision import Command
from controller.policy.effects import Effects
from controller.policy.inputs import PanicPressed, SelfTestStart, SmokeTestMode
from controller.policy.state import PolicyState, SelfTest
from protocols import events as ev

SMOKE_TEST_S = 60.0  # the detector must report its test state within this
WALK_TEST_S = 600.0  # the walk-test window: the guard walks to the station and presses it
TESTERS = ("guard", "supervisor", "technician")


def _kind(fx: Effects, name: str) -> str | None:
    for dev in fx.site.devices:
        if dev.name == name and dev.role == "smoke":
            return "smoke"
        if dev.name == name and dev.role == "panic":
            return "walk"
    return None


def on_selftest_start(state: PolicyState, event: SelfTestStart, fx: Effects) -> PolicyState:
    fx.note(ev.OPERATOR_ACTION, f"{event.user} ({event.role}) asked for a self-test of "
            f"{event.device}: {event.reason!r}.", device=event.device, user=event.user,
            role=event.role, reason=event.reason, action="selftest")
    kind = _kind(fx, event.device)
    refused = refusal(event.user, event.role, "start a self-test", event.method, TESTERS)
    if refused is None and kind is None:
        names = [d.name for d in fx.site.devices if d.role in ("smoke", "panic")]
        refused = (f"{event.device!r} is not one of our smoke detectors or panic stations "
                   f"(self-testable: {', '.join(names) or 'none'})")
    if refused is None and state.mode != "normal":
        refused = f"the campus is in {state.mode} mode: every press and detector is live now"
    if refused is None and any(t.device == event.device for t in state.self_tests):
        refused = f"a self-test of {event.device} is already running"
    if refused is None and kind == "walk" and event.device in (p.device for p in state.panics):
        refused = f"{event.device} is latched: reset it with its key first"
    if refused is not None:
        fx.note(ev.POLICY_DECISION, f"Self-test refused: {refused}.", device=event.device,
                rule="selftest", refused=True)
        return state
    seconds = SMOKE_TEST_S if kind == "smoke" else WALK_TEST_S
    test = SelfTest(event.device, kind, event.user, fx.now, fx.now + timedelta(seconds=seconds))
    if kind == "smoke":
        fx.station_commands.append(Command((event.device,), "test_start",
                                           f"self-test by {event.user}", True))
        what = (f"{event.device} commanded into its test mode; it must report it within "
                f"{SMOKE_TEST_S:.0f} s")
    else:
        what = (f"walk test of {event.device}: the next press there within "
                f"{WALK_TEST_S / 60:.0f} min is a TEST (no lockdown, no police report); any "
                f"other station stays live")
    fx.note(ev.SELFTEST_START, f"Self-test started by {event.user}: {what}.", drill=True,
            device=event.device, user=event.user, kind=kind)
    return state.with_(self_tests=state.self_tests + (test,))


def _end(state: PolicyState, device: str) -> PolicyState:
    return state.with_(self_tests=tuple(t for t in state.self_tests if t.device != device))


def on_smoke_test_mode(state: PolicyState, event: SmokeTestMode, fx: Effects) -> PolicyState:
    test = next((t for t in state.self_tests if t.device == event.device and t.kind == "smoke"),
                None)
    if test is None:
        fx.note(ev.POLICY_DECISION, f"{event.device} reports test mode that no self-test asked "
                f"for (a test at the detector itself): logged, nothing else.",
                device=event.device, rule="selftest")
        return state
    took = (fx.now - test.since).total_seconds()
    fx.station_commands.append(Command((event.device,), "test_stop", "self-test passed", True))
    fx.note(ev.SELFTEST_PASS, f"Self-test PASSED: {event.device} entered its test mode "
            f"{took:.1f} s after the command; test mode ended.", drill=True,
            device=event.device, kind="smoke", user=test.by, seconds=round(took, 1))
    return _end(state, event.device)


def walk_test_press(state: PolicyState, event: PanicPressed, fx: Effects) -> PolicyState | None:
    """The state after a walk-test press, or None when the press is a real alarm."""
    test = next((t for t in state.self_tests if t.device == event.device and t.kind == "walk"),
                None)
    if test is None or fx.now > test.until or state.mode != "normal":
        return None
    took = (fx.now - test.since).total_seconds()
    fx.station_commands.append(Command((event.device,), "panic_ack",
                                       "walk test: press received", True))
    fx.note(ev.SELFTEST_PASS, f"Walk test PASSED: press at {event.device} received by the host "
            f"{took:.0f} s after the test started (recorded as a test, no alarm). Reset the "
            f"station with its key.", drill=True, device=event.device, kind="walk",
            user=test.by, seconds=round(took, 1))
    return _end(state, event.device)


def expire(state: PolicyState, fx: Effects) -> PolicyState:
    """Tests that got no result in time fail; a smoke detector is told to end its test mode."""
    for test in [t for t in state.self_tests if fx.now > t.until]:
        if test.kind == "smoke":
            fx.station_commands.append(Command((test.device,), "test_stop", "self-test timed out",
                                               True))
            why = f"did not report its test mode within {SMOKE_TEST_S:.0f} s"
            fix = "check the detector on site (power, wiring, address) and test it again"
        else:
            why = f"no press arrived within the {WALK_TEST_S / 60:.0f} min walk-test window"
            fix = "check the button and its wiring, then walk-test it again"
        fx.note(ev.SELFTEST_FAIL, f"Self-test FAILED: {test.device} {why}. Fix: {fix}.",
                drill=True, device=test.device, kind=test.kind, user=test.by)
        state = _end(state, test.device)
    return state
