"""Evidence at start (controller/policy/recovery.py): the safe direction, logged with the evidence,
and a latched press reported only when it was not reported before."""

from policy_driver import commanded, kinds

from controller.policy import GuardLockdown
from controller.policy.recovery import DeviceModeAtStart, PanicLatchedAtStart
from protocols import events as ev


def test_a_device_in_lockdown_while_the_state_says_normal_restores_a_campus_lockdown(campus):
    decision = campus(DeviceModeAtStart("main-gate-barrier", "main-gate", "lockdown", "normal"))
    assert campus.state.mode == "lockdown" and campus.state.campus_lockdown is not None
    assert campus.state.campus_lockdown.source == "reconciled"
    why = [e for e in decision.log if e.kind == ev.POLICY_DECISION]
    assert why[0].data["rule"] == "reconciled_at_start"
    assert why[0].data["evidence"] == {"device": "main-gate-barrier", "mode": "lockdown",
                                       "saved": "normal"}
    assert ev.LOCKDOWN_SET in kinds(decision)
    assert commanded(campus.site, decision, "lock") == campus.names("gate")


def test_evidence_that_agrees_with_the_state_changes_nothing(campus):
    campus(GuardLockdown("li.na", "guard", None, "intruder"))
    decision = campus(DeviceModeAtStart("main-gate-barrier", "main-gate", "lockdown", "normal"))
    assert decision.log == () and decision.commands == ()


def test_a_device_in_fire_mode_restores_fire_egress(campus):
    decision = campus(DeviceModeAtStart("main-gate-barrier", "main-gate", "fire", "normal"))
    assert campus.state.mode == "fire"
    assert ev.FIRE_CONFIRMED in kinds(decision)


def test_a_latched_press_already_logged_and_reported_is_not_reported_again(campus):
    decision = campus(PanicLatchedAtStart("kindergarten-panic", "kindergarten", "3@120",
                                          logged=True, reported=True, acknowledged=False))
    assert ev.PANIC_ALARM not in kinds(decision)
    assert not [a for a in decision.alarms if a.kind == ev.PANIC_ALARM]
    assert campus.state.mode == "lockdown", "a latched station is a panic in force"
    assert commanded(campus.site, decision, "panic_ack") == {"kindergarten-panic"}


def test_a_latched_press_never_logged_is_logged_and_reported_once(campus):
    decision = campus(PanicLatchedAtStart("kindergarten-panic", "kindergarten", "3@120",
                                          logged=False, reported=False, acknowledged=True))
    assert kinds(decision).count(ev.PANIC_ALARM) == 1
    assert [a.kind for a in decision.alarms].count(ev.PANIC_ALARM) == 1
    assert not commanded(campus.site, decision, "panic_ack"), "already acknowledged at the station"


def test_a_latched_press_in_the_outbox_but_not_the_log_is_logged_not_reported(campus):
    decision = campus(PanicLatchedAtStart("kindergarten-panic", "kindergarten", "3@120",
                                          logged=False, reported=True, acknowledged=False))
    assert kinds(decision).count(ev.PANIC_ALARM) == 1
    assert not [a for a in decision.alarms if a.kind == ev.PANIC_ALARM]
