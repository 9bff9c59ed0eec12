"""Registers of the door, checkpoint and intrusion roles decoded into (state, faults, detail) (pure).

Confirmed states shown by `status`:
  door:       locked | unlocked | open | held_open | forced_open
  checkpoint: idle | reads_waiting
  intrusion:  disarmed | armed | alarm
"""

from __future__ import annotations

from collections.abc import Sequence

from protocols import registers as R

DOOR_STATES = ("locked", "unlocked", "open", "held_open", "forced_open")
CHECKPOINT_STATES = ("idle", "reads_waiting")
INTRUSION_STATES = ("disarmed", "armed", "alarm")


def _reg(block: Sequence[int], role_block: tuple, name: str) -> int:
    return block[R.address(role_block, name) - R.ROLE_BASE]


def _name(names: Sequence[str], value: int) -> str:
    return names[value] if 0 <= value < len(names) else "unknown"


def loop_statuses(value: int) -> list[str]:
    """Per-loop condition names from the intrusion loop_status register."""
    return [R.INTRUSION_LOOP_STATUS_NAMES[(value >> (2 * n)) & 3] for n in range(R.INTRUSION_LOOPS)]


def decode_door(block: Sequence[int]) -> tuple[str, list[str], dict]:
    raw = _name(R.DOOR_STATE_NAMES, _reg(block, R.DOOR, "state"))
    locked = bool(_reg(block, R.DOOR, "locked"))
    if raw in ("closed_locked", "closed_unlocked"):
        state = "locked" if locked else "unlocked"
    else:
        state = raw
    alarms = R.bit_names(_reg(block, R.DOOR, "alarms"), R.DOOR_ALARM_NAMES)
    return state, R.bit_names(_reg(block, R.DOOR, "faults"), R.DOOR_FAULT_NAMES), {
        "raw_state": raw, "locked": locked, "alarms": alarms,
        "unlock_held": bool(_reg(block, R.DOOR, "unlock_held")),
        "rex_count": _reg(block, R.DOOR, "rex_count"),
        "forced_count": _reg(block, R.DOOR, "forced_count"),
        "last_release_ms": _reg(block, R.DOOR, "last_release_ms"),
    }


def decode_checkpoint(block: Sequence[int]) -> tuple[str, list[str], dict]:
    count = _reg(block, R.CHECKPOINT, "ring_count")
    entry = None
    if count and _reg(block, R.CHECKPOINT, "entry_seq"):
        entry = {
            "seq": _reg(block, R.CHECKPOINT, "entry_seq"),
            "uid": (_reg(block, R.CHECKPOINT, "entry_uid_hi") << 16)
            | _reg(block, R.CHECKPOINT, "entry_uid_lo"),
            "bits": _reg(block, R.CHECKPOINT, "entry_bits"),
            "age_s": _reg(block, R.CHECKPOINT, "entry_age_ds") / 10.0,
        }
    return (CHECKPOINT_STATES[1] if count else CHECKPOINT_STATES[0],
            R.bit_names(_reg(block, R.CHECKPOINT, "faults"), R.CHECKPOINT_FAULT_NAMES),
            {"ring_count": count, "entry": entry,
             "reads_total": _reg(block, R.CHECKPOINT, "reads_total"),
             "bad_frames": _reg(block, R.CHECKPOINT, "bad_frames")})


def decode_intrusion(block: Sequence[int]) -> tuple[str, list[str], dict]:
    state = _name(R.INTRUSION_STATE_NAMES, _reg(block, R.INTRUSION, "state"))
    loops = loop_statuses(_reg(block, R.INTRUSION, "loop_status"))
    return state, R.bit_names(_reg(block, R.INTRUSION, "faults"), R.INTRUSION_FAULT_NAMES), {
        "armed": bool(_reg(block, R.INTRUSION, "armed")), "loops": loops,
        "alarm_loops": [n + 1 for n in range(R.INTRUSION_LOOPS)
                        if _reg(block, R.INTRUSION, "alarm_loops") & (1 << n)],
        "bypassed": [n + 1 for n in range(R.INTRUSION_LOOPS)
                     if _reg(block, R.INTRUSION, "bypassed") & (1 << n)],
        "alarm_count": _reg(block, R.INTRUSION, "alarm_count"),
        "last_reaction_ms": _reg(block, R.INTRUSION, "last_reaction_ms"),
    }


DECODERS = {"door": decode_door, "checkpoint": decode_checkpoint, "intrusion": decode_intrusion}
