# The device behind the register bank: common registers (heartbeat and comm loss, campus mode,
# site flags, the confirm-and-reboot configuration step, the fault log, uptime, heap), persistence of
# the "(persisted)" registers, and the hand-off of commands to the role.
import gc

from core import register_map as R
from core.fault_log import FaultLog
from core.register_bank import EXC_ILLEGAL_VALUE
from core.ticks import ticks_add, ticks_diff
from core.version import FW_MAJOR, FW_MINOR, FW_PATCH

_EXC_DEVICE_FAILURE = 4

_F_CONFIG_INVALID = 0
_F_WATCHDOG = 1
_F_COMM_LOSS = 2
_F_FLASH = 3
_F_IO_LOST = 4
_F_ROLE = 5
_F_HEAP_LOW = 6

_HEAP_LOW_BYTES = 8192  # registers.py: heap_low under 8 KiB
_HEAP_CHECK_EVERY = 10  # housekeeping runs at 10 Hz: collect and measure the heap at 1 Hz
_SAVE_DELAY_MS = 500  # persisted writes are batched: a burst of writes costs one flash write

_RESET_WATCHDOG = 2
_RESET_CONFIG_REBOOT = 3


def _a(name):
    return R.address(R.COMMON, name)


A_HEARTBEAT = _a("heartbeat")
A_COMM_TIMEOUT = _a("comm_loss_timeout_s")
A_MODE = _a("mode")
A_SITE_FLAGS = _a("site_flags")
A_CONFIG_UNIT = _a("config_unit")
A_CONFIG_BAUD = _a("config_baud")
A_CONFIG_PARITY = _a("config_parity")
A_CONFIG_STOPBITS = _a("config_stopbits")
A_CONFIG_COMMAND = _a("config_command")
A_FAULT_SELECT = _a("fault_log_select")
A_FAULTS = _a("fault_flags")
A_EVENT = _a("event_counter")
A_UPTIME_HI = _a("uptime_hi")
A_UPTIME_LO = _a("uptime_lo")
A_HEAP = _a("heap_free")


class Device:
    def __init__(self, bank, cfg, store, role, clock, reset_cause, io, log=None):
        self.bank = bank
        self.cfg = cfg
        self.store = store
        self.role = role
        self.clock = clock
        self.io = io
        self.log = log
        self.unit = cfg["unit"]
        self.fault_log = FaultLog(bank)
        self.reboot_cause = 0  # set by config_command: the slave replies, then the board resets
        now = clock.now()
        self._last_heartbeat = now
        self._last_tick = now
        self._uptime_ms = 0
        self._save_at = None
        self._upkeep_count = _HEAP_CHECK_EVERY - 1  # first housekeeping measures at once
        self._faults_seen = 0
        self._role_faults_seen = 0
        self._boot_registers(cfg, reset_cause, store)

    def _boot_registers(self, cfg, reset_cause, store):
        b = self.bank
        b.set(_a("role"), b.role_code)
        b.set(_a("fw_version"), FW_MAJOR * 256 + FW_MINOR)
        b.set(_a("fw_patch"), FW_PATCH)
        b.set(_a("serial_hi"), cfg["serial"] >> 16)
        b.set(_a("serial_lo"), cfg["serial"] & 0xFFFF)
        b.set(_a("reset_cause"), reset_cause)
        b.set(A_COMM_TIMEOUT, cfg["comm_loss_timeout_s"])
        b.set(A_SITE_FLAGS, cfg["site_flags"])
        b.set(A_CONFIG_UNIT, cfg["unit"])
        b.set(A_CONFIG_BAUD, cfg["baud"] // 100)
        b.set(A_CONFIG_PARITY, R.PARITY_NAMES.index(cfg["parity"]))
        b.set(A_CONFIG_STOPBITS, cfg["stopbits"])
        b.set(_a("active_unit"), cfg["unit"])
        b.set(_a("active_baud"), cfg["baud"] // 100)
        faults = 0
        if store.source == "defaults":
            faults |= 1 << _F_CONFIG_INVALID
        if reset_cause == _RESET_WATCHDOG:
            faults |= 1 << _F_WATCHDOG
        b.set(A_FAULTS, faults)
        if self.role:
            for name, value in cfg["params"].items():
                b.set(R.address(self.role.BLOCK, name), value)
            self.role.set_site_flags(cfg["site_flags"])
        self._update_faults()

    # ---------------------------------------------------------------- writes from the slave
    def write(self, address, value):
        """Apply one register write from Modbus; 0 or the Modbus exception code."""
        exc = self.bank.check_write(address, value)
        if exc:
            return exc
        role = self.role
        if role and address == role._a["command"]:
            exc = role.check_command(value)
            if exc:
                return exc
            self.bank.set(address, value)
            role.command(value)
            return 0
        if address == A_CONFIG_BAUD and value not in R.BAUD_CODES:
            return EXC_ILLEGAL_VALUE
        if address == A_CONFIG_COMMAND:
            exc = self._config_command(value)
            if exc:
                return exc
        self.bank.set(address, value)
        if address == A_HEARTBEAT:
            self._heartbeat()
        elif address == A_MODE:
            self.bank.set(A_EVENT, self.bank.get(A_EVENT) + 1)
            if role:
                role.set_mode(value)
        elif address == A_SITE_FLAGS:
            self._persist_later()
            if role:
                role.set_site_flags(value)
        elif address == A_COMM_TIMEOUT:
            self._persist_later()
        elif address == A_FAULT_SELECT:
            self.fault_log.refresh()
        elif address >= R.ROLE_BASE:
            self._persist_later()  # only the role's "rw" registers get here: all persisted
        return 0

    def _heartbeat(self):
        self._last_heartbeat = self.clock.now()
        faults = self.bank.get(A_FAULTS)
        if faults & (1 << _F_COMM_LOSS):
            self.bank.set(A_FAULTS, faults & ~(1 << _F_COMM_LOSS))
            self.bank.set(A_EVENT, self.bank.get(A_EVENT) + 1)
            if self.role:
                self.role.on_comm_restored()

    def _config_command(self, value):
        if value == R.CONFIG_DISCARD:
            b = self.bank
            b.set(A_CONFIG_UNIT, self.cfg["unit"])
            b.set(A_CONFIG_BAUD, self.cfg["baud"] // 100)
            b.set(A_CONFIG_PARITY, R.PARITY_NAMES.index(self.cfg["parity"]))
            b.set(A_CONFIG_STOPBITS, self.cfg["stopbits"])
            return 0
        if value == R.CONFIG_REBOOT:
            self.reboot_cause = _RESET_CONFIG_REBOOT
            return 0
        if value != R.CONFIG_COMMIT:
            return EXC_ILLEGAL_VALUE  # magic values only: a stray write never reconfigures
        if self.role is None:
            return _EXC_DEVICE_FAILURE  # no valid role: fix config.json on the flash first
        cfg = self._snapshot()
        cfg["unit"] = self.bank.get(A_CONFIG_UNIT)
        cfg["baud"] = self.bank.get(A_CONFIG_BAUD) * 100
        cfg["parity"] = R.PARITY_NAMES[self.bank.get(A_CONFIG_PARITY)]
        cfg["stopbits"] = self.bank.get(A_CONFIG_STOPBITS)
        if not self._save(cfg):
            return _EXC_DEVICE_FAILURE
        self.reboot_cause = _RESET_CONFIG_REBOOT
        return 0

    # ---------------------------------------------------------------- persistence
    def _persist_later(self):
        if self.role is not None:
            self._save_at = ticks_add(self.clock.now(), _SAVE_DELAY_MS)

    def _snapshot(self):
        cfg = dict(self.cfg)
        cfg["site_flags"] = self.bank.get(A_SITE_FLAGS)
        cfg["comm_loss_timeout_s"] = self.bank.get(A_COMM_TIMEOUT)
        params = {}
        for reg in self.role.BLOCK:
            if reg[R.ACCESS] == "rw":
                params[reg[R.NAME]] = self.bank.get(reg[R.ADDRESS])
        cfg["params"] = params
        return cfg

    def _save(self, cfg):
        try:
            self.store.save(cfg)
        except Exception as e:  # noqa: BLE001 - flash full or failing: report, keep running
            self._set_fault(_F_FLASH, True)
            if self.log:
                self.log("config write failed: %s" % e)
            return False
        self.cfg = cfg
        self._set_fault(_F_FLASH, False)
        return True

    # ---------------------------------------------------------------- periodic upkeep
    def _set_fault(self, bit, on):
        faults = self.bank.get(A_FAULTS)
        new = faults | (1 << bit) if on else faults & ~(1 << bit)
        if new != faults:
            self.bank.set(A_FAULTS, new)
            self.bank.set(A_EVENT, self.bank.get(A_EVENT) + 1)

    def uptime_s(self):
        return self._uptime_ms // 1000

    def housekeeping(self):
        now = self.clock.now()
        self._uptime_ms += ticks_diff(now, self._last_tick)
        self._last_tick = now
        up = self.uptime_s()
        self.bank.set(A_UPTIME_HI, up >> 16)
        self.bank.set(A_UPTIME_LO, up & 0xFFFF)
        self._upkeep_count += 1
        if self._upkeep_count >= _HEAP_CHECK_EVERY:
            # Free heap means something only right after a collection (garbage piles up between
            # automatic ones); collecting here at 1 Hz also keeps GC pauses short and predictable.
            self._upkeep_count = 0
            gc.collect()
            free = gc.mem_free()
            self.bank.set(A_HEAP, min(free // 16, 0xFFFF))
            self._set_fault(_F_HEAP_LOW, free < _HEAP_LOW_BYTES)
        self._set_fault(_F_IO_LOST, self.io.lost)
        timeout_s = self.bank.get(A_COMM_TIMEOUT)
        faults = self.bank.get(A_FAULTS)
        if (
            timeout_s
            and not faults & (1 << _F_COMM_LOSS)
            and ticks_diff(now, self._last_heartbeat) > timeout_s * 1000
        ):
            self._set_fault(_F_COMM_LOSS, True)
            if self.role:
                self.role.on_comm_loss()
            if self.log:
                self.log("comm loss: no heartbeat for %d s" % timeout_s)
        if self._save_at is not None and ticks_diff(now, self._save_at) >= 0:
            self._save_at = None
            self._save(self._snapshot())
        self._update_faults()

    def _update_faults(self):
        role_faults = 0
        if self.role:
            role_faults = self.role.reg("faults")
            self._set_fault(_F_ROLE, role_faults != 0)
        faults = self.bank.get(A_FAULTS)
        up = self.uptime_s()
        new = faults & ~self._faults_seen
        for bit in range(16):
            if new & (1 << bit):
                self.fault_log.add(bit, up)
        new = role_faults & ~self._role_faults_seen
        for bit in range(16):
            if new & (1 << bit):
                self.fault_log.add(16 + bit, up)
        self._faults_seen = faults
        self._role_faults_seen = role_faults
