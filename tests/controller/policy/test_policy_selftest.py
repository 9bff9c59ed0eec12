"""Self-tests: a smoke detector's test mode and a panic station walk test are recorded as tests,
never as alarms — and they can never swallow a real alarm."""

from policy_driver import commanded, kinds

from controller.policy import GuardLockdown, PanicPressed, Tick
from controller.policy.inputs import SelfTestStart, SmokeTestMode
from controller.policy.selftest import SMOKE_TEST_S, WALK_TEST_S
from protocols import events as ev

SMOKE = "classroom-1a-smoke"


def selftest_kinds(decision) -> list[str]:
    """The self-test entries of a decision (a tick may also start the site's schedules)."""
    return [k for k in kinds(decision) if k.startswith("selftest.")]

STATION = "kindergarten-panic"


def test_smoke_self_test_commands_test_mode_and_passes_when_the_detector_reports_it(campus):
    started = campus(SelfTestStart(SMOKE, "li.na", "guard", "monthly test"))
    assert commanded(campus.site, started, "test_start") == {SMOKE}
    assert all(c.drill for c in started.commands)
    assert kinds(started)[-1] == ev.SELFTEST_START and started.alarms == ()
    passed = campus(SmokeTestMode(SMOKE), after_s=4)
    assert kinds(passed) == [ev.SELFTEST_PASS]
    assert passed.log[0].data["seconds"] == 4.0 and passed.log[0].drill
    assert commanded(campus.site, passed, "test_stop") == {SMOKE}
    assert passed.alarms == () and campus.state.self_tests == () and campus.state.mode == "normal"


def test_a_detector_that_never_reports_test_mode_fails_and_is_told_to_stop(campus):
    campus(SelfTestStart(SMOKE, "li.na", "guard"))
    assert selftest_kinds(campus(Tick(), after_s=SMOKE_TEST_S - 5)) == []
    failed = campus(Tick(), after_s=10)
    assert selftest_kinds(failed) == [ev.SELFTEST_FAIL]
    assert "Fix:" in next(e.message for e in failed.log if e.kind == ev.SELFTEST_FAIL)
    assert commanded(campus.site, failed, "test_stop") == {SMOKE}
    assert campus.state.self_tests == ()


def test_walk_test_press_is_a_test_not_an_alarm(campus):
    campus(SelfTestStart(STATION, "li.na", "guard", "walk test"))
    press = campus(PanicPressed(STATION, "kindergarten"), after_s=90)
    assert kinds(press) == [ev.SELFTEST_PASS]
    assert commanded(campus.site, press, "panic_ack") == {STATION}
    assert press.alarms == () and campus.state.mode == "normal" and campus.state.panics == ()
    # one press ends the test: the next press at the same station is real
    real = campus(PanicPressed(STATION, "kindergarten"), after_s=60)
    assert ev.LOCKDOWN_SET in kinds(real) and campus.state.mode == "lockdown"
    assert [a.kind for a in real.alarms][0] == ev.PANIC_ALARM


def test_a_walk_test_never_swallows_a_press_elsewhere_or_after_its_window(campus):
    campus(SelfTestStart(STATION, "li.na", "guard"))
    other = campus(PanicPressed("office-panic", "admin"), after_s=5)
    assert ev.LOCKDOWN_SET in kinds(other)


def test_walk_window_expires_as_a_failed_test_and_a_late_press_is_real(campus):
    campus(SelfTestStart(STATION, "li.na", "guard"))
    failed = campus(Tick(), after_s=WALK_TEST_S + 1)
    assert selftest_kinds(failed) == [ev.SELFTEST_FAIL]
    late = campus(PanicPressed(STATION, "kindergarten"), after_s=1)
    assert ev.LOCKDOWN_SET in kinds(late)


def test_self_tests_are_refused_outside_normal_mode_and_for_other_devices(campus):
    refused = campus(SelfTestStart("main-gate-slider", "li.na", "guard"))
    assert "not one of our smoke detectors or panic stations" in refused.log[-1].message
    assert refused.log[-1].data["refused"] is True
    campus(GuardLockdown("li.na", "guard", None, "intruder"))
    during = campus(SelfTestStart(STATION, "li.na", "guard"))
    assert "lockdown mode" in during.log[-1].message and campus.state.self_tests == ()
    assert commanded(campus.site, during, "test_start") == set()


def test_self_tests_survive_a_restart_in_the_saved_state(campus):
    from controller.policy import PolicyState

    campus(SelfTestStart(SMOKE, "li.na", "guard"))
    again = PolicyState.from_json(campus.state.to_json())
    assert again.self_tests == campus.state.self_tests


# ---------------------------------------------------------------------------- gates by hand
def test_a_gate_opens_by_hand_outside_its_window_only_with_a_visit_or_a_reason(campus):
    from controller.policy.inputs import GuardGateOpen

    bare = campus(GuardGateOpen("main-gate-slider", "li.na", "guard"))
    assert commanded(campus.site, bare, "open") == set()
    assert "outside its schedule windows" in bare.log[-1].message
    assert bare.log[-1].data["refused"] is True
    visit = campus(GuardGateOpen("main-gate-slider", "li.na", "guard", visit=7))
    assert commanded(campus.site, visit, "open") == {"main-gate-slider"}
    assert "visit #7" in visit.log[-1].message
    reason = campus(GuardGateOpen("main-gate-slider", "li.na", "guard", "ambulance"))
    assert commanded(campus.site, reason, "open") == {"main-gate-slider"}


def test_no_gate_opens_by_hand_during_a_lockdown(campus):
    from controller.policy.inputs import GuardGateOpen

    campus(GuardLockdown("li.na", "guard", None, "intruder"))
    refused = campus(GuardGateOpen("main-gate-slider", "li.na", "guard", "delivery"))
    assert commanded(campus.site, refused, "open") == set()
    assert "lockdown is in force" in refused.log[-1].message


def test_inside_its_schedule_window_a_gate_opens_without_a_reason(make_campus):
    from datetime import datetime, timezone

    from controller.policy.inputs import GuardGateOpen

    monday_0740 = datetime(2026, 11, 23, 23, 40, tzinfo=timezone.utc)  # Tuesday 07:40 local
    campus = make_campus(now=monday_0740)
    opened = campus(GuardGateOpen("east-pedestrian-gate", "li.na", "guard"))
    assert commanded(campus.site, opened, "open") == {"east-pedestrian-gate"}
    assert "schedule window morning-arrival" in opened.log[-1].message
