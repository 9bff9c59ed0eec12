"""`diag` decodes the door, checkpoint and intrusion registers by name from the register map."""

from controller.field.register_catalog import decode, find_register
from protocols import registers as R


def _text(role, name, value):
    return decode(role, find_register(role, name), value)


def test_door_registers_read_as_names():
    assert _text(R.ROLE_DOOR, "state", 4) == "forced_open"
    assert _text(R.ROLE_DOOR, "alarms", 3) == "forced_open,held_open"
    assert _text(R.ROLE_DOOR, "outputs", 1) == "lock_coil"
    assert _text(R.ROLE_DOOR, "inputs", 2) == "rex"
    assert _text(R.ROLE_DOOR, "command", 3) == "pulse_unlock"
    assert _text(R.ROLE_DOOR, "comm_loss_action", 2) == "unlock"
    assert _text(R.ROLE_DOOR, "site_flags", 5) == "evacuation_route,fail_secure"


def test_intrusion_and_checkpoint_registers_read_as_names():
    assert _text(R.ROLE_INTRUSION, "loop_status", 0b0111) == "loop1 short,loop2 alarm"
    assert _text(R.ROLE_INTRUSION, "alarm_loops", 2) == "loop2"
    assert _text(R.ROLE_INTRUSION, "command", 0x11) == "bypass loop2"
    assert _text(R.ROLE_INTRUSION, "command", 1) == "arm"
    assert _text(R.ROLE_INTRUSION, "faults", 2) == "tamper"
    assert _text(R.ROLE_CHECKPOINT, "entry_seq", 7) == "seq 7"
    assert _text(R.ROLE_CHECKPOINT, "faults", 6) == "ring_overflow,bad_frame"
    assert _text(R.ROLE_CHECKPOINT, "state", 1) == "reads_waiting"
