"""`diag` text for the registers only the door, checkpoint and intrusion roles have (pure)."""

from __future__ import annotations

from protocols import registers as R


def decode_access(role: int, name: str, value: int) -> str | None:
    """Human text for value, or None when the generic decoding applies."""
    if role == R.ROLE_DOOR:
        if name == "alarms":
            return ",".join(R.bit_names(value, R.DOOR_ALARM_NAMES)) or "-"
        if name == "comm_loss_action" and value < len(R.DOOR_COMM_LOSS_NAMES):
            return R.DOOR_COMM_LOSS_NAMES[value]
    if role == R.ROLE_CHECKPOINT and name in ("command", "entry_seq"):
        return "seq %d" % value if value else "none"
    if role == R.ROLE_INTRUSION:
        if name == "loop_status":
            return ",".join("loop%d %s" % (n + 1, R.INTRUSION_LOOP_STATUS_NAMES[(value >> 2 * n) & 3])
                            for n in range(R.INTRUSION_LOOPS))
        if name in ("alarm_loops", "bypassed"):
            return ",".join("loop%d" % (n + 1) for n in range(R.INTRUSION_LOOPS)
                            if value & (1 << n)) or "-"
        if name == "command":
            if R.INTRUSION_BYPASS_BASE <= value < R.INTRUSION_UNBYPASS_BASE:
                return "bypass loop%d" % (value - R.INTRUSION_BYPASS_BASE + 1)
            if value >= R.INTRUSION_UNBYPASS_BASE:
                return "end bypass loop%d" % (value - R.INTRUSION_UNBYPASS_BASE + 1)
    return None
