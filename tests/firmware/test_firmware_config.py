# Configuration on the flash: atomic commit over Modbus with a reboot (exit 10) and the reset cause
# carried across it; persisted parameters; a corrupt file falls back to the .bak, and with no good
# copy the device answers at unit 247 with config_invalid.
import json

import pytest
from firmware_process import FirmwareProcess

from protocols import registers as R

pytestmark = pytest.mark.micropython


def _a(name):
    return R.address(R.COMMON, name)


def test_firmware_config_commit_reboots_with_new_unit(firmware, tmp_path):
    fw = firmware("gate", unit=3)
    client = fw.modbus()
    assert not client.write_register(_a("config_unit"), 42, device_id=3).isError()
    stray = client.write_register(_a("config_command"), 0x1234, device_id=3)
    assert stray.isError() and stray.exception_code == 3
    assert not client.write_register(_a("config_command"), R.CONFIG_COMMIT, device_id=3).isError()
    assert fw.wait_exit() == 10, "config commit must reboot (exit 10)"
    cfg = json.loads((fw.flash / "config.json").read_text())
    assert cfg["unit"] == 42 and cfg["role"] == "gate"
    assert json.loads((fw.flash / "config.json.bak").read_text())["unit"] == 3
    fw.close_client()
    again = FirmwareProcess(fw.flash, config="keep")
    try:
        again.start()
        regs = again.modbus().read_holding_registers(0, count=28, device_id=42)
        assert not regs.isError(), regs
        assert regs.registers[_a("active_unit")] == 42
        assert regs.registers[_a("reset_cause")] == 3  # config_reboot
    finally:
        again.stop()


def test_firmware_persisted_parameter_survives_restart(firmware):
    fw = firmware("bollard")
    client = fw.modbus()
    addr = R.address(R.BOLLARD, "warning_ms")
    assert not client.write_register(addr, 2500, device_id=1).isError()
    import time

    deadline = time.monotonic() + 3
    while json.loads((fw.flash / "config.json").read_text())["params"].get("warning_ms") != 2500:
        assert time.monotonic() < deadline, "warning_ms never persisted"
        time.sleep(0.05)
    fw.stop()
    again = FirmwareProcess(fw.flash, config="keep").start()
    try:
        assert again.modbus().read_holding_registers(addr, count=1, device_id=1).registers == [2500]
    finally:
        again.stop()


def test_firmware_corrupt_config_uses_backup(tmp_path):
    flash = tmp_path / "flash"
    flash.mkdir()
    good = {"version": 1, "role": "smoke", "unit": 9, "baud": 19200, "parity": "E", "stopbits": 1,
            "site_flags": 0, "comm_loss_timeout_s": 30, "serial": 7, "params": {}}
    (flash / "config.json.bak").write_text(json.dumps(good))
    fw = FirmwareProcess(flash, config='{"version": 1, "role": "smo')
    try:
        fw.start()
        regs = fw.modbus().read_holding_registers(0, count=28, device_id=9)
        assert not regs.isError() and regs.registers[_a("role")] == R.ROLE_SMOKE
        assert not regs.registers[_a("fault_flags")] & 1
    finally:
        fw.stop()


def test_firmware_no_valid_config_answers_at_unit_247_with_config_invalid(tmp_path):
    fw = FirmwareProcess(tmp_path / "flash", config={"version": 1, "role": "toaster"})
    try:
        fw.start()
        regs = fw.modbus().read_holding_registers(0, count=28, device_id=247)
        assert not regs.isError(), regs
        assert regs.registers[_a("fault_flags")] & 1, "config_invalid not set"
        ident = fw.modbus().read_device_information(device_id=247)
        assert ident.information[1] == b"CG-NONE"
    finally:
        fw.stop()
