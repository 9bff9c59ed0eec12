# The supervisor feeds the watchdog only while every safety task runs: a stalled firmware exits 11
# (the simulator restarts it) and the next boot reports the watchdog reset. SIGINT stops cleanly.
import os
import signal
import time

import pytest
from firmware_process import FirmwareProcess

from protocols import registers as R

pytestmark = pytest.mark.micropython


def test_firmware_stalled_tasks_trip_the_watchdog_and_next_boot_says_so(firmware):
    fw = firmware("panic")
    fw.modbus().read_holding_registers(0, count=1, device_id=1)
    os.kill(fw.proc.pid, signal.SIGSTOP)  # every task stalls, as in a hung loop
    time.sleep(2.5)
    os.kill(fw.proc.pid, signal.SIGCONT)
    assert fw.wait_exit(5) == 11, "a stall longer than the watchdog period must reset the board"
    fw.close_client()
    again = FirmwareProcess(fw.flash, config="keep").start()
    try:
        regs = again.modbus().read_holding_registers(0, count=28, device_id=1).registers
        assert regs[R.address(R.COMMON, "reset_cause")] == 2  # watchdog
        assert regs[R.address(R.COMMON, "fault_flags")] & 2, "watchdog_reset fault not raised"
        assert regs[R.address(R.COMMON, "fault_log_count")] >= 1
        assert regs[R.address(R.COMMON, "fault_log_code")] == 1  # newest: common bit 1
    finally:
        again.stop()


def test_firmware_sigint_is_a_clean_stop(firmware):
    fw = firmware("smoke")
    time.sleep(0.2)
    fw.proc.send_signal(signal.SIGINT)
    assert fw.wait_exit(5) == 0
