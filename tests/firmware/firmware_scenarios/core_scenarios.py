# Core pieces on both runtimes: the register bank's write rules and the fault log ring.
from core import register_map as R
from core.fault_log import FaultLog
from core.register_bank import RegisterBank


def scenario_bank_refuses_out_of_range_and_read_only_and_gaps():
    bank = RegisterBank(R.ROLE_GATE)
    travel = R.address(R.role_block(R.ROLE_GATE), "travel_timeout_s")
    assert bank.check_write(travel, 4) == 3 and bank.check_write(travel, 121) == 3
    assert bank.check_write(travel, 60) == 0
    assert bank.check_write(R.address(R.COMMON, "role"), 1) == 2, "read-only register written"
    assert bank.check_write(50, 0) == 2, "write into the gap between blocks"
    assert bank.span_ok(0, 32) and bank.span_ok(100, 11)
    assert not bank.span_ok(30, 80) and not bank.span_ok(100, 12)
    assert bank.get(travel) == 30, "default from registers.py"


def scenario_fault_log_keeps_the_last_16_newest_first():
    bank = RegisterBank(R.ROLE_PANIC)
    log = FaultLog(bank)
    for i in range(20):
        log.add(i, 1000 + i)
    count = R.address(R.COMMON, "fault_log_count")
    select = R.address(R.COMMON, "fault_log_select")
    code = R.address(R.COMMON, "fault_log_code")
    up_lo = R.address(R.COMMON, "fault_log_uptime_lo")
    assert bank.get(count) == 16
    assert bank.get(code) == 19 and bank.get(up_lo) == 1019, "entry 0 must be the newest"
    bank.set(select, 15)
    log.refresh()
    assert bank.get(code) == 4 and bank.get(up_lo) == 1004, "entry 15 must be the oldest kept"
