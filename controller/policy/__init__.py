"""The policy engine: a pure function step(site, state, event, now) -> Decision. No I/O, no clock."""

from controller.policy.decision import (
    ACTIONS,
    ALL_DEVICES,
    AlarmReport,
    AllDevices,
    Command,
    Decision,
    LogEntry,
)
from controller.policy.engine import step
from controller.policy.inputs import (
    AlarmAcknowledged,
    DeviceRestore,
    DeviceTrouble,
    DrillEnd,
    DrillStart,
    GuardClear,
    GuardFireConfirm,
    GuardLockdown,
    KeySwitchOff,
    KeySwitchOn,
    PanicPressed,
    PanicReset,
    PolicyEvent,
    SmokeAlarm,
    SmokeClear,
    Tick,
)
from controller.policy.state import PolicyState, PolicyStateError
from controller.policy.targets import desired_modes, reassert

__all__ = [
    "ACTIONS", "ALL_DEVICES", "AlarmAcknowledged", "AlarmReport", "AllDevices", "Command",
    "Decision", "DeviceRestore", "DeviceTrouble", "DrillEnd", "DrillStart", "GuardClear",
    "GuardFireConfirm", "GuardLockdown", "KeySwitchOff", "KeySwitchOn", "LogEntry", "PanicPressed",
    "PanicReset", "PolicyEvent", "PolicyState", "PolicyStateError", "SmokeAlarm", "SmokeClear",
    "Tick", "desired_modes", "reassert", "step",
]
