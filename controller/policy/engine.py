"""step(site, state, event, now) -> Decision: the whole policy, as a pure function.

A rule handler turns (state, event) into a new state plus log entries and alarm reports; the
device commands are then derived from the difference between the old and the new state
(targets.py), so every state change carries its commands and nothing else sends any."""

from __future__ import annotations

from datetime import datetime

from controller.policy import (
    clear,
    drill,
    fire,
    gate_open,
    intrusion,
    lockdown,
    panic,
    schedule,
    selftest,
    trouble,
)
from controller.policy.decision import Decision
from controller.policy.effects import Effects
from controller.policy.inputs import (
    AlarmAcknowledged,
    DeviceRestore,
    DeviceTrouble,
    DrillEnd,
    DrillStart,
    GuardClear,
    GuardFireConfirm,
    GuardGateOpen,
    GuardLockdown,
    IntrusionAlarm,
    IntrusionBypass,
    KeySwitchOff,
    KeySwitchOn,
    PanicPressed,
    PanicReset,
    PolicyEvent,
    SelfTestStart,
    SmokeAlarm,
    SmokeClear,
    SmokeTestMode,
    Tick,
)
from controller.policy.recovery import (
    DeviceModeAtStart,
    PanicLatchedAtStart,
    on_device_mode_at_start,
    on_panic_latched_at_start,
)
from controller.policy.state import PolicyState
from controller.policy.targets import commands_between
from controller.site.model import Site
from protocols import events as ev

_HANDLERS = {
    PanicPressed: panic.on_panic_pressed,
    PanicReset: panic.on_panic_reset,
    AlarmAcknowledged: panic.on_alarm_acknowledged,
    SmokeAlarm: fire.on_smoke_alarm,
    SmokeClear: fire.on_smoke_clear,
    GuardFireConfirm: fire.on_guard_fire_confirm,
    GuardLockdown: lockdown.on_guard_lockdown,
    KeySwitchOn: lockdown.on_key_switch_on,
    KeySwitchOff: lockdown.on_key_switch_off,
    GuardClear: clear.on_guard_clear,
    DrillStart: drill.on_drill_start,
    DrillEnd: drill.on_drill_end,
    DeviceTrouble: trouble.on_trouble,
    DeviceRestore: trouble.on_restore,
    SelfTestStart: selftest.on_selftest_start,
    SmokeTestMode: selftest.on_smoke_test_mode,
    GuardGateOpen: gate_open.on_gate_open,
    DeviceModeAtStart: on_device_mode_at_start,
    PanicLatchedAtStart: on_panic_latched_at_start,
    IntrusionAlarm: intrusion.on_intrusion_alarm,
    IntrusionBypass: intrusion.on_intrusion_bypass,
}


def step(site: Site, state: PolicyState, event: PolicyEvent, now: datetime) -> Decision:
    """Decide what the campus does about event at time now (an aware datetime, real time)."""
    if now.tzinfo is None:
        raise ValueError("step() needs an aware datetime (UTC); got a naive one")
    fx = Effects(site=site, now=now)
    if isinstance(event, Tick):
        new = schedule.on_tick(selftest.expire(_expire_clear_request(state, fx), fx), fx)
    else:
        handler = _HANDLERS.get(type(event))
        if handler is None:
            raise TypeError(f"the policy has no rule for {type(event).__name__}")
        new = handler(state, event, fx)
    is_drill = fx.drill if fx.drill is not None else new.drill is not None
    commands = commands_between(site, state, new, fx.reason or "policy", is_drill)
    return Decision(state=new, commands=commands + tuple(fx.station_commands),
                    log=tuple(fx.log), alarms=tuple(fx.alarms))


def _expire_clear_request(state: PolicyState, fx: Effects) -> PolicyState:
    request = state.clear_request
    window = fx.site.policy.two_person_window_s
    if request is None or (fx.now - request.at).total_seconds() <= window:
        return state
    fx.note(ev.LOCKDOWN_CLEAR_REFUSED, f"Clear request by {request.user} expired: no second guard "
            f"within {window:g} s. The lockdown stays in force.", zone=request.zone,
            user=request.user, rule="two_person_window_s")
    return state.with_(clear_request=None)
