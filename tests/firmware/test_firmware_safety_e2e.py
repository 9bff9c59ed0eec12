# Each role's safety rules against the real MicroPython runtime: firmware process, pymodbus on the
# UART, the test as the plant on the I/O channel.
import time

import pytest

from protocols import registers as R

pytestmark = pytest.mark.micropython


def _write(fw, block, name, value):
    r = fw.modbus().write_register(R.address(block, name), value, device_id=fw.unit)
    return r


def _read(fw, block, name):
    r = fw.modbus().read_holding_registers(R.address(block, name), count=1, device_id=fw.unit)
    assert not r.isError(), r
    return r.registers[0]


def _wait_reg(fw, block, name, value, timeout=3.0):
    deadline = time.monotonic() + timeout
    while _read(fw, block, name) != value:
        assert time.monotonic() < deadline, f"{name} never became {value}"
        time.sleep(0.02)


def test_firmware_gate_obstruction_stops_then_reverses_never_both_ways(firmware):
    fw = firmware("gate")
    plant = fw.plant
    plant.set("limit_open", 1)
    _wait_reg(fw, R.GATE, "state", 3)  # open
    assert not _write(fw, R.GATE, "command", 2).isError()
    plant.wait_for("motor_close", 1)
    plant.set("limit_open", 0)
    time.sleep(0.3)
    sent = time.monotonic()
    plant.set("photo_eye", 1)
    stopped = plant.wait_for("motor_close", 0)
    assert stopped - sent < 2.0, "UL 325: stop and reverse within 2 s"
    reversed_at = plant.wait_for("motor_open", 1)
    assert reversed_at > stopped, "the reversal must stop first"
    on = {"motor_open": 0, "motor_close": 0}
    for _, name, value in plant.history:
        if name in on:
            on[name] = value
            assert not (on["motor_open"] and on["motor_close"]), "motor driven both ways"
    assert _read(fw, R.GATE, "obstruction_count") == 1
    assert _read(fw, R.GATE, "last_reaction_ms") < 100
    assert _read(fw, R.GATE, "state") == 6  # reversing


def test_firmware_gate_unmonitored_eye_refuses_remote_close(firmware):
    fw = firmware("gate")
    fw.plant.healthy_eye = False
    fw.plant.set("limit_open", 1)
    _wait_reg(fw, R.GATE, "state", 3)
    assert not _write(fw, R.GATE, "command", 2).isError()
    _wait_reg(fw, R.GATE, "hold_to_run", 1)
    assert fw.plant.outputs.get("motor_close") == 0
    refused = _write(fw, R.GATE, "command", 2)
    assert refused.isError() and refused.exception_code == 4


def test_firmware_gate_lockdown_broadcast_closes_and_locks(firmware):
    fw = firmware("gate")
    plant = fw.plant
    plant.set("limit_open", 1)
    _wait_reg(fw, R.GATE, "state", 3)
    from firmware_process import transact

    sock = fw.raw()
    assert transact(sock, 0, bytes([6, 0, R.address(R.COMMON, "mode"), 0, 1]), 0.2) == b""
    sock.close()
    plant.wait_for("motor_close", 1)
    plant.set("limit_open", 0)
    plant.set("limit_closed", 1)
    plant.wait_for("lock", 1)
    _wait_reg(fw, R.GATE, "locked", 1)


def test_firmware_bollard_raise_warns_one_second_and_efo_does_not(firmware):
    fw = firmware("bollard")
    plant = fw.plant
    plant.set("limit_down", 1)
    _wait_reg(fw, R.BOLLARD, "state", 1)
    assert not _write(fw, R.BOLLARD, "command", 1).isError()
    warned = plant.wait_for("sounder", 1)
    pumped = plant.wait_for("pump_up", 1)
    assert pumped - warned >= 0.95, "normal rise must be preceded by a 1 s warning"
    plant.set("limit_down", 0)
    plant.set("load", 1)
    plant.wait_for("pump_up", 0)
    plant.wait_for("valve_down", 1)  # load on top: stop and reverse
    plant.set("load", 0)
    plant.set("limit_down", 1)
    _wait_reg(fw, R.BOLLARD, "state", 1)
    t0 = time.monotonic()
    assert not _write(fw, R.BOLLARD, "command", 3).isError()
    efo = plant.wait_for("efo_valve", 1)
    assert efo - t0 < 0.5
    plant.set("limit_down", 0)
    plant.set("limit_up", 1)
    _wait_reg(fw, R.BOLLARD, "state", 3)
    assert 0 < _read(fw, R.BOLLARD, "last_efo_ms") < 2500
    refused = _write(fw, R.BOLLARD, "command", 2)
    assert not refused.isError()  # EFO by command is not held: lowering is allowed again


def test_firmware_panic_latches_until_authorised_reset(firmware):
    fw = firmware("panic")
    plant = fw.plant
    _wait_reg(fw, R.PANIC, "state", 0)
    plant.set("button", 1)
    time.sleep(0.05)
    plant.set("button", 0)  # shorter than hold_ms: a false trigger
    time.sleep(0.3)
    assert _read(fw, R.PANIC, "press_count") == 0
    plant.set("button", 1)
    plant.wait_for("led_alarm", 1)
    plant.set("button", 0)
    time.sleep(0.5)
    assert _read(fw, R.PANIC, "state") == 1 and _read(fw, R.PANIC, "press_count") == 1
    stray = _write(fw, R.PANIC, "command", 2)
    assert stray.isError() and stray.exception_code == 3
    assert not _write(fw, R.PANIC, "command", 1).isError()
    plant.wait_for("led_received", 1)
    assert not _write(fw, R.PANIC, "command", R.PANIC_RESET_KEY).isError()
    plant.wait_for("led_alarm", 0)
    assert _read(fw, R.PANIC, "state") == 0


def test_firmware_smoke_alarm_survives_comm_loss(firmware):
    fw = firmware("smoke", params={"verify_s": 1}, comm_loss_timeout_s=1)
    plant = fw.plant
    plant.set("sensor", 900)
    _wait_reg(fw, R.SMOKE, "state", 2)  # verifying
    relay = plant.wait_for("relay", 1, timeout=3)
    assert _read(fw, R.SMOKE, "alarm_count") == 1
    time.sleep(2.0)  # no request at all for 2 x comm_loss_timeout_s: comm loss
    # The first reply after the silence still shows comm_loss (that request then restores contact).
    faults = fw.modbus().read_holding_registers(R.address(R.COMMON, "fault_flags"), count=1)
    assert faults.registers[0] & (1 << 2), "comm_loss not flagged"
    assert plant.outputs["relay"] == 1 and relay
    assert not fw.modbus().write_register(R.address(R.COMMON, "heartbeat"), 1).isError()
    faults = fw.modbus().read_holding_registers(R.address(R.COMMON, "fault_flags"), count=1)
    assert not faults.registers[0] & (1 << 2), "a request from the host must clear comm_loss"
