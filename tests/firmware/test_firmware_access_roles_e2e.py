# Door, intrusion and checkpoint against the real MicroPython runtime: firmware process, pymodbus on
# the UART, the test as the plant on the I/O channel. Writes are all-or-nothing: a refused command
# changes nothing. Reaction times are read from the firmware's own registers (no timed asserts).
import time

import pytest

from protocols import registers as R

pytestmark = pytest.mark.micropython


def _write(fw, address, value):
    return fw.modbus().write_register(address, value, device_id=fw.unit)


def _read(fw, block, name):
    r = fw.modbus().read_holding_registers(R.address(block, name), count=1, device_id=fw.unit)
    assert not r.isError(), r
    return r.registers[0]


def _wait_reg(fw, block, name, value, timeout=5.0):
    deadline = time.monotonic() + timeout
    while _read(fw, block, name) != value:
        assert time.monotonic() < deadline, f"{name} never became {value}"
        time.sleep(0.02)


def test_firmware_door_lockdown_refuses_unlock_and_rex_still_releases(firmware):
    fw = firmware("door", params={"unlock_ms": 1500})
    _wait_reg(fw, R.DOOR, "locked", 1)
    fw.plant.wait_for("lock_coil", 1)  # a maglock holds while energised
    assert not _write(fw, R.address(R.COMMON, "mode"), R.MODE_LOCKDOWN).isError()
    refused = _write(fw, R.address(R.DOOR, "command"), 1)
    assert refused.isError() and refused.exception_code == 4
    assert _read(fw, R.DOOR, "unlock_held") == 0 and _read(fw, R.DOOR, "locked") == 1
    fw.plant.set("rex", 1)
    fw.plant.wait_for("lock_coil", 0)  # free egress in lockdown
    fw.plant.set("door_open", 1)
    time.sleep(0.2)
    fw.plant.set("rex", 0)
    fw.plant.set("door_open", 0)
    _wait_reg(fw, R.DOOR, "locked", 1)
    assert _read(fw, R.DOOR, "alarms") == 0, "egress through REX is not a forced door"
    assert _read(fw, R.DOOR, "rex_count") == 1
    assert _read(fw, R.DOOR, "last_release_ms") < 1000


def test_firmware_door_fire_on_evacuation_route_refuses_lock(firmware):
    fw = firmware("door", site_flags=R.FLAG_EVACUATION_ROUTE | R.FLAG_FAIL_SECURE)
    _wait_reg(fw, R.DOOR, "locked", 1)
    assert not _write(fw, R.address(R.COMMON, "mode"), R.MODE_FIRE).isError()
    _wait_reg(fw, R.DOOR, "locked", 0)
    fw.plant.wait_for("lock_coil", 1)  # a strike releases while energised
    refused = _write(fw, R.address(R.DOOR, "command"), 2)
    assert refused.isError() and refused.exception_code == 4
    assert _read(fw, R.DOOR, "locked") == 0


def test_firmware_intrusion_arm_refused_with_a_bad_loop_then_burglary_latches(firmware):
    fw = firmware("intrusion")
    fw.plant.set("loop1", R.INTRUSION_LOOP_ALARM)
    _wait_reg(fw, R.INTRUSION, "loop_status", 1)
    refused = _write(fw, R.address(R.INTRUSION, "command"), 1)
    assert refused.isError() and refused.exception_code == 4
    assert _read(fw, R.INTRUSION, "armed") == 0
    fw.plant.set("loop1", R.INTRUSION_LOOP_NORMAL)
    _wait_reg(fw, R.INTRUSION, "loop_status", 0)
    assert not _write(fw, R.address(R.INTRUSION, "command"), 1).isError()
    fw.plant.set("loop2", R.INTRUSION_LOOP_ALARM)
    _wait_reg(fw, R.INTRUSION, "state", 2)
    fw.plant.wait_for("siren", 1)
    fw.plant.set("loop2", R.INTRUSION_LOOP_NORMAL)
    time.sleep(0.3)
    assert _read(fw, R.INTRUSION, "state") == 2, "a burglary alarm never clears itself"
    assert _read(fw, R.INTRUSION, "alarm_loops") == 2
    assert _read(fw, R.INTRUSION, "last_reaction_ms") < 1000


def test_firmware_checkpoint_decodes_a_wiegand_frame_and_drains_by_seq(firmware):
    fw = firmware("checkpoint")
    uid = (18 << 16) | 1234
    data = [(uid >> i) & 1 for i in range(23, -1, -1)]
    bits = [sum(data[:12]) % 2, *data, 1 - sum(data[12:]) % 2]
    for bit in bits:
        line = "d1" if bit else "d0"
        fw.plant.set(line, 1)
        time.sleep(0.04)
        fw.plant.set(line, 0)
        time.sleep(0.04)
    _wait_reg(fw, R.CHECKPOINT, "ring_count", 1)
    assert _read(fw, R.CHECKPOINT, "entry_uid_hi") == 18
    assert _read(fw, R.CHECKPOINT, "entry_uid_lo") == 1234
    seq = _read(fw, R.CHECKPOINT, "entry_seq")
    wrong = _write(fw, R.address(R.CHECKPOINT, "command"), seq + 1)
    assert wrong.isError() and wrong.exception_code == 3
    assert _read(fw, R.CHECKPOINT, "ring_count") == 1
    assert not _write(fw, R.address(R.CHECKPOINT, "command"), seq).isError()
    assert _read(fw, R.CHECKPOINT, "ring_count") == 0
