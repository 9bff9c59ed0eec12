"""Trouble reporting, and the policy state's JSON form (the host survives kill -9 mid-lockdown)."""

import pytest
from policy_driver import commanded

from controller.policy import (
    ALL_DEVICES,
    DeviceRestore,
    DeviceTrouble,
    GuardClear,
    PanicPressed,
    PolicyState,
    PolicyStateError,
    SmokeAlarm,
    reassert,
)
from protocols import events as ev


@pytest.mark.parametrize("kind,event_kind", [("offline", ev.TROUBLE_OFFLINE),
                                             ("fault", ev.TROUBLE_FAULT),
                                             ("tamper", ev.TROUBLE_TAMPER),
                                             ("monitoring", ev.TROUBLE_MONITORING)])
def test_trouble_is_logged_and_reported_once_then_restored(campus, kind, event_kind):
    first = campus(DeviceTrouble("main-gate-slider", kind, "detail here"))
    assert [e.kind for e in first.log] == [event_kind]
    assert first.log[0].zone == "main-gate" and "detail here" in first.log[0].message
    assert [(a.kind, a.device, a.restore) for a in first.alarms] == [
        (event_kind, "main-gate-slider", False)]
    assert not campus(DeviceTrouble("main-gate-slider", kind, "still")).alarms
    restored = campus(DeviceRestore("main-gate-slider", kind))
    assert [e.kind for e in restored.log] == [ev.TROUBLE_RESTORE]
    assert [(a.kind, a.restore) for a in restored.alarms] == [(event_kind, True)]
    assert not campus.state.troubles


def test_state_round_trips_through_json_mid_lockdown(campus):
    campus(PanicPressed("kindergarten-panic", "kindergarten"))
    campus(SmokeAlarm("classroom-1a-smoke", "teaching"))
    campus(DeviceTrouble("library-panic", "tamper", "cover open"))
    campus(GuardClear("li.na", "guard", None, "first half", "pin", "o", "pin:li.na"))
    text = campus.state.to_json()
    restored = PolicyState.from_json(text)
    assert restored == campus.state
    # the second guard's half still completes the clear after a restart
    campus.state = restored
    campus(GuardClear("chen.jie", "guard", None, "second half", "pin", "o", "pin:chen.jie"))
    assert campus.state.mode == "normal"


def test_reassert_after_restart_commands_the_saved_lockdown(campus):
    campus(PanicPressed("kindergarten-panic", "kindergarten"))
    commands = reassert(campus.site, PolicyState.from_json(campus.state.to_json()), "restart")
    assert (commands[0].action, commands[0].targets) == ("mode_lockdown", ALL_DEVICES)
    assert commanded(campus.site, commands, "close") == campus.names("gate")
    assert commanded(campus.site, commands, "efo") == campus.names("bollard")


@pytest.mark.parametrize("text", ["", "{}", '{"version": 99, "state": {}}',
                                  '{"version": 1, "state": {"lockdowns": [{"zone": null}]}}'])
def test_unreadable_state_is_a_typed_error(text):
    with pytest.raises(PolicyStateError):
        PolicyState.from_json(text)
