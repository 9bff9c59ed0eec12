"""Lockdown: from a panic station, a guard or the key switch; cleared only by a supervisor or two
different guards; never by itself."""

from datetime import timedelta

from policy_driver import commanded, kinds

from controller.policy import (
    ALL_DEVICES,
    GuardClear,
    GuardLockdown,
    KeySwitchOff,
    KeySwitchOn,
    PanicPressed,
    PanicReset,
    Tick,
)
from protocols import events as ev

# (method, origin, proof) of each operator, as the identity layer fills them
LI = ("pin", "control socket uid=0", "pin:li.na")
CHEN = ("pin", "control socket uid=0", "pin:chen.jie")
BOSS = ("os_user", "control socket uid=1000", "uid:1000")


def test_panic_press_locks_down_every_gate_and_bollard_and_says_why(campus):
    decision = campus(PanicPressed("kindergarten-panic", "kindergarten"))
    site = campus.site
    first = decision.commands[0]
    # the campus-wide mode goes first, as ONE broadcast
    assert (first.action, first.targets, first.drill) == ("mode_lockdown", ALL_DEVICES, False)
    assert commanded(site, decision, "close") == campus.names("gate")
    assert commanded(site, decision, "lock") == campus.names("gate")
    assert commanded(site, decision, "efo") == campus.names("bollard")
    assert commanded(site, decision, "panic_ack") == {"kindergarten-panic"}
    actions = [c.action for c in decision.commands]
    assert actions.index("close") < actions.index("lock")
    assert all("panic pressed at kindergarten-panic" in c.reason for c in decision.commands[:4])
    assert kinds(decision) == [ev.PANIC_ALARM, ev.LOCKDOWN_SET, ev.PANIC_ACK]
    why = decision.log[1].message
    assert "kindergarten-panic" in why and "Gates close and lock" in why
    assert "supervisor or two different guards" in why
    assert [(a.kind, a.device, a.drill) for a in decision.alarms] == [
        (ev.PANIC_ALARM, "kindergarten-panic", False), (ev.LOCKDOWN_SET, None, False)]
    assert campus.state.mode == "lockdown"
    assert set(campus.state.zones(site).values()) == {"lockdown"}


def test_second_press_reports_again_but_sends_no_new_lockdown(campus):
    campus(PanicPressed("kindergarten-panic", "kindergarten"))
    again = campus(PanicPressed("dormitory-panic", "dormitory"))
    assert [c.action for c in again.commands] == ["panic_ack"]
    assert [a.kind for a in again.alarms] == [ev.PANIC_ALARM]


def test_panic_input_of_a_module_locks_down_without_an_ack_command(campus):
    decision = campus(PanicPressed("pool-panic", "teaching"))
    assert campus.state.mode == "lockdown"
    assert not commanded(campus.site, decision, "panic_ack")


def test_panic_scope_zone_locks_down_only_that_zone(make_campus):
    campus = make_campus(panic_scope="zone")
    decision = campus(PanicPressed("guard-room-panic", "admin"))
    assert campus.state.zones(campus.site)["admin"] == "lockdown"
    assert campus.state.zones(campus.site)["main-gate"] == "normal"
    mode = decision.commands[0]
    assert mode.action == "mode_lockdown" and set(mode.targets) == {"guard-room-panic",
                                                                     "office-panic"}
    assert not commanded(campus.site, decision, "close")


def test_guard_lockdown_of_a_zone_with_barriers(campus):
    decision = campus(GuardLockdown("li.na", "guard", "main-gate", "intruder at the gate"))
    assert commanded(campus.site, decision, "close") == {"main-gate-slider", "main-gate-barrier"}
    assert "east-pedestrian-gate" not in commanded(campus.site, decision, "lock")
    assert kinds(decision) == [ev.OPERATOR_ACTION, ev.LOCKDOWN_SET]
    assert decision.log[0].data["user"] == "li.na" and decision.log[0].data["reason"] == \
        "intruder at the gate"
    assert campus.state.zones(campus.site) == {
        z: ("lockdown" if z == "main-gate" else "normal") for z in campus.site.zone_names()}


def test_lockdown_is_never_refused_even_from_an_unidentified_caller(campus):
    decision = campus(GuardLockdown(None, None, None, "", method="unauthenticated",
                                    origin="control socket uid=1234 pid=9"))
    assert campus.state.mode == "lockdown"
    assert "unidentified caller" in decision.log[0].message
    assert "uid=1234" in decision.log[0].message and "no reason given" in decision.log[0].message
    assert decision.log[0].data["method"] == "unauthenticated"
    assert campus.state.lockdowns[0].method == "unauthenticated"


def test_unknown_zone_locks_down_the_whole_campus(campus):
    decision = campus(GuardLockdown("li.na", "guard", "moon-base", "typo"))
    assert campus.state.campus_lockdown is not None
    assert any("zone 'moon-base' unknown: whole campus locked" in e.message for e in decision.log)


def test_key_switch_on_locks_down_off_does_not_clear(campus):
    campus(KeySwitchOn())
    assert campus.state.mode == "lockdown" and campus.state.key_switch
    off = campus(KeySwitchOff())
    assert campus.state.mode == "lockdown" and not off.commands
    assert "stays in force" in off.log[0].message


def test_supervisor_clears_alone(campus):
    campus(PanicPressed("kindergarten-panic", "kindergarten"))
    decision = campus(GuardClear("zhang.wei", "supervisor", None, "police on site, all clear", "pin", "", "pin:zhang.wei"))
    assert campus.state.mode == "normal"
    assert decision.commands[0].action == "mode_normal"
    assert decision.commands[0].targets is ALL_DEVICES
    assert commanded(campus.site, decision, "unlock") == campus.names("gate")
    assert ev.LOCKDOWN_CLEAR in kinds(decision)
    assert [(a.kind, a.restore, a.user) for a in decision.alarms] == [
        (ev.LOCKDOWN_SET, True, "zhang.wei")]


def test_two_different_guards_clear_within_the_window(campus):
    campus(PanicPressed("kindergarten-panic", "kindergarten"))
    first = campus(GuardClear("li.na", "guard", None, "checked the east side", *LI))
    assert campus.state.mode == "lockdown" and not first.commands
    assert ev.LOCKDOWN_CLEAR_PENDING in kinds(first)
    same = campus(GuardClear("li.na", "guard", None, "again", *LI))
    assert campus.state.mode == "lockdown"
    assert "different guard" in same.log[-1].message
    second = campus(GuardClear("chen.jie", "guard", None, "checked the west side", *CHEN),
                    after_s=60)
    assert campus.state.mode == "normal"
    assert "li.na and chen.jie" in second.log[-1].message


def test_one_credential_cannot_be_two_guards(campus):
    """One OS account (or session, or PIN) typing two names is one person."""
    campus(PanicPressed("kindergarten-panic", "kindergarten"))
    campus(GuardClear("li.na", "guard", None, "east side", "os_user", "uid=0", "uid:0"))
    second = campus(GuardClear("chen.jie", "guard", None, "west side", "os_user", "uid=0",
                               "uid:0"))
    assert campus.state.mode == "lockdown" and not second.commands
    assert kinds(second)[-1] == ev.LOCKDOWN_CLEAR_REFUSED
    assert "same credential" in second.log[-1].message
    unproven = campus(GuardClear("chen.jie", "guard", None, "west side"))
    assert campus.state.mode == "lockdown" and "authenticated" in unproven.log[-1].message
    campus(GuardClear("chen.jie", "guard", None, "west side", *CHEN))
    assert campus.state.mode == "normal"


def test_two_guards_too_far_apart_do_not_clear(campus):
    campus(PanicPressed("kindergarten-panic", "kindergarten"))
    campus(GuardClear("li.na", "guard", None, "east side", *LI))
    expired = campus(Tick(), after_s=121)
    assert "expired" in expired.log[0].message
    campus(GuardClear("chen.jie", "guard", None, "west side", *CHEN))
    assert campus.state.mode == "lockdown"  # chen.jie's request is now the first half


def test_clear_refused_for_technicians_viewers_and_unidentified_callers(campus):
    campus(PanicPressed("kindergarten-panic", "kindergarten"))
    for user, role, method in (("liu.yang", "technician", "pin"), ("wang", "viewer", "session"),
                               ("", "", "unauthenticated"),
                               ("zhang.wei", "supervisor", "unauthenticated")):
        decision = campus(GuardClear(user, role, None, "let me", method, "x", "uid:5"))
        assert campus.state.mode == "lockdown"
        assert kinds(decision)[-1] == ev.LOCKDOWN_CLEAR_REFUSED
        assert not decision.commands


def test_clear_rule_supervisor_refuses_two_guards(make_campus):
    campus = make_campus(clear_rule="supervisor")
    campus(PanicPressed("kindergarten-panic", "kindergarten"))
    campus(GuardClear("li.na", "guard", None, "a", *LI))
    campus(GuardClear("chen.jie", "guard", None, "b", *CHEN))
    assert campus.state.mode == "lockdown"


def test_zone_clear_leaves_the_rest_and_cannot_split_a_campus_lockdown(campus):
    campus(GuardLockdown("li.na", "guard", "main-gate", "a"))
    campus(GuardLockdown("li.na", "guard", "east-gate", "b"))
    decision = campus(GuardClear("zhang.wei", "supervisor", "main-gate", "gate checked", *BOSS))
    assert campus.state.zones(campus.site)["main-gate"] == "normal"
    assert campus.state.zones(campus.site)["east-gate"] == "lockdown"
    assert commanded(campus.site, decision, "unlock") == {"main-gate-slider", "main-gate-barrier"}
    campus(KeySwitchOn())
    refused = campus(GuardClear("zhang.wei", "supervisor", "east-gate", "only this one", *BOSS))
    assert "clear the campus" in refused.log[-1].message
    assert campus.state.mode == "lockdown"


def test_lockdown_never_clears_itself(campus):
    campus(PanicPressed("kindergarten-panic", "kindergarten"))
    campus(PanicReset("kindergarten-panic", "key"))
    campus(KeySwitchOff())
    for _ in range(48):
        decision = campus(Tick(), after_s=3600)
        assert not any(c.action in ("mode_normal", "unlock", "open") for c in decision.commands)
    assert campus.now - campus.decisions[0].state.lockdowns[0].since >= timedelta(hours=48)
    assert campus.state.mode == "lockdown"


def test_host_panic_reset_needs_a_guard_and_sends_the_reset(campus):
    campus(PanicPressed("kindergarten-panic", "kindergarten"))
    refused = campus(PanicReset("kindergarten-panic", "host", "liu.yang", "technician"))
    assert not refused.commands and campus.state.panics
    reset = campus(PanicReset("kindergarten-panic", "host", "li.na", "guard"))
    assert commanded(campus.site, reset, "panic_reset") == {"kindergarten-panic"}
    assert [(a.kind, a.restore) for a in reset.alarms] == [(ev.PANIC_ALARM, True)]
    assert not campus.state.panics and campus.state.mode == "lockdown"
