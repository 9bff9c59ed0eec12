"""Policy command actions to register writes and to the state each device should reach (pure)."""

from __future__ import annotations

from protocols import registers as R

MODE_VALUES = {"mode_normal": R.MODE_NORMAL, "mode_lockdown": R.MODE_LOCKDOWN, "mode_fire": R.MODE_FIRE}

# (role, action) -> value of the role block's command register
COMMAND_VALUES = {
    ("gate", "open"): 1, ("gate", "close"): 2, ("gate", "lock"): 4, ("gate", "unlock"): 5,
    ("bollard", "raise"): 1, ("bollard", "lower"): 2, ("bollard", "efo"): 3,
    ("panic", "panic_ack"): R.PANIC_COMMAND_ACK, ("panic", "panic_reset"): R.PANIC_RESET_KEY,
    ("smoke", "test_start"): R.SMOKE_COMMAND_NAMES.index("test_start"),
    ("smoke", "test_stop"): R.SMOKE_COMMAND_NAMES.index("test_stop"),
    ("door", "unlock"): 1, ("door", "lock"): 2,
    ("intrusion", "arm"): 1, ("intrusion", "disarm"): 2,
}
_ROLE_ACTION_STATE = {("door", "unlock"): "unlocked", ("door", "lock"): "locked",
                      ("intrusion", "arm"): "armed", ("intrusion", "disarm"): "disarmed"}

_ACTION_STATE = {"open": "open", "close": "closed", "lock": "locked", "unlock": "closed",
                 "raise": "up", "efo": "up", "lower": "down",
                 "panic_ack": "acknowledged", "panic_reset": "idle",
                 "test_start": "test", "test_stop": "normal"}


def commanded_state(role: str, site_flags: int, action: str) -> str | None:
    """The confirmed state the device should reach; None = no change to what it was told before;
    "" = nothing outstanding (back to normal)."""
    if action == "mode_lockdown":
        return {"gate": "locked", "bollard": "up", "door": "locked"}.get(role)
    if action == "mode_fire":
        if role == "gate" and site_flags & R.FLAG_EVACUATION_ROUTE:
            return "open"
        if role == "door" and site_flags & R.FLAG_EVACUATION_ROUTE:
            return "unlocked"
        if role == "bollard" and site_flags & R.FLAG_FIRE_LANE:
            return "down"
        return None
    if action == "mode_normal":
        return "" if role in ("gate", "bollard", "door") else None
    return _ROLE_ACTION_STATE.get((role, action), _ACTION_STATE.get(action))
