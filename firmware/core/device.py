# The device behind the register bank: common registers (host contact and comm loss, campus mode,
# site flags, the confirm-and-reboot configuration step, the fault log, uptime, heap), persistence of
# the "(persisted)" registers. The write path (all-or-nothing, commands to the role) is device_writes.py.
import gc

from core import register_map as R
from core.device_writes import (
    A_COMM_TIMEOUT,
    A_CONFIG_BAUD,
    A_CONFIG_PARITY,
    A_CONFIG_STOPBITS,
    A_CONFIG_UNIT,
    A_EVENT,
    A_FAULTS,
    A_SITE_FLAGS,
    DeviceWrites,
)
from core.fault_log import FaultLog
from core.ticks import ticks_add, ticks_diff
from core.version import FW_MAJOR, FW_MINOR, FW_PATCH

_F_CONFIG_INVALID = 0
_F_WATCHDOG = 1
_F_COMM_LOSS = 2
_F_FLASH = 3
_F_IO_LOST = 4
_F_ROLE = 5
_F_HEAP_LOW = 6

_HEAP_LOW_BYTES = 8192  # registers.py: heap_low under 8 KiB
_UPKEEP_MS = 1000  # housekeeping period at rest (uptime has 1 s resolution); comm loss comes sooner
_SAVE_DELAY_MS = 500  # persisted writes are batched: a burst of writes costs one flash write

_RESET_WATCHDOG = 2


def _nothing():
    pass


def _a(name):
    return R.address(R.COMMON, name)


A_UPTIME_HI = _a("uptime_hi")
A_UPTIME_LO = _a("uptime_lo")
A_HEAP = _a("heap_free")


class Device(DeviceWrites):
    def __init__(self, bank, cfg, store, role, clock, reset_cause, io, log=None, wake=None):
        self.bank = bank
        self.cfg = cfg
        self.store = store
        self.role = role
        self.clock = clock
        self.io = io
        self.log = log
        # wake(): the role has something new to act on (a command, a mode, comm loss): the main
        # loop ticks it at once instead of at its idle period.
        self.wake = wake or _nothing
        self.unit = cfg["unit"]
        self.fault_log = FaultLog(bank)
        self.reboot_cause = 0  # set by config_command: the slave replies, then the board resets
        now = clock.now()
        self._last_contact = now
        self._last_tick = now
        self._uptime_ms = 0
        self._save_at = None
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
        # Free heap means something only right after a collection (garbage piles up between
        # automatic ones); collecting here at 1 Hz also keeps GC pauses short and predictable.
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
            and ticks_diff(now, self._last_contact) > timeout_s * 1000
        ):
            self._set_fault(_F_COMM_LOSS, True)
            if self.role:
                self.role.on_comm_loss()
                self.wake()
            if self.log:
                self.log("comm loss: no request from the host for %d s" % timeout_s)
        if self._save_at is not None and ticks_diff(now, self._save_at) >= 0:
            self._save_at = None
            self._save(self._snapshot())
        self._update_faults()
        return self._next_upkeep_ms(now, timeout_s)

    def _next_upkeep_ms(self, now, timeout_s):
        """ms until housekeeping is next due: 1 s, or sooner when comm loss or a save falls due."""
        wait = _UPKEEP_MS
        if timeout_s and not self.bank.get(A_FAULTS) & (1 << _F_COMM_LOSS):
            due = ticks_diff(ticks_add(self._last_contact, timeout_s * 1000 + 1), now)
            wait = min(wait, max(due, 1))
        if self._save_at is not None:
            wait = min(wait, max(ticks_diff(self._save_at, now), 1))
        return wait

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
