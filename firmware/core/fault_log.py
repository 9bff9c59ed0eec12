# Ring of the last 16 faults with the uptime each was raised at, newest first over Modbus
# (common.fault_log_*). Preallocated: a fault storm never allocates.
from array import array

from core import register_map as R

SIZE = 16
_A_COUNT = R.address(R.COMMON, "fault_log_count")
_A_SELECT = R.address(R.COMMON, "fault_log_select")
_A_CODE = R.address(R.COMMON, "fault_log_code")
_A_UP_HI = R.address(R.COMMON, "fault_log_uptime_hi")
_A_UP_LO = R.address(R.COMMON, "fault_log_uptime_lo")


class FaultLog:
    def __init__(self, bank):
        self.bank = bank
        self.codes = array("H", (0 for _ in range(SIZE)))
        self.uptimes = array("L", (0 for _ in range(SIZE)))
        self.count = 0
        self.head = 0  # next slot to write

    def add(self, code, uptime_s):
        """code = bit number + 16 * block (0 common, 1 role), as registers.py documents."""
        self.codes[self.head] = code
        self.uptimes[self.head] = uptime_s
        self.head = (self.head + 1) % SIZE
        if self.count < SIZE:
            self.count += 1
        self.bank.set(_A_COUNT, self.count)
        self.refresh()

    def refresh(self):
        """Copy the entry chosen by fault_log_select into the fault_log_* registers."""
        sel = self.bank.get(_A_SELECT)
        if sel >= self.count:
            code = up = 0
        else:
            i = (self.head - 1 - sel) % SIZE
            code = self.codes[i]
            up = self.uptimes[i]
        self.bank.set(_A_CODE, code)
        self.bank.set(_A_UP_HI, up >> 16)
        self.bank.set(_A_UP_LO, up & 0xFFFF)
