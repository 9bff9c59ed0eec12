# The write path of the device: every Modbus write (FC 06 and FC 16, unicast and broadcast) is
# all-or-nothing. Each register is checked (bank limits and access, the role's check_command, the
# baud code, the config_command magic) against the device as it stands before the write, and only
# then is any register stored and acted on: a refused write changes nothing. A separate module from
# device.py so each compiles within the unix port's heap (README: "Heap").
from core import register_map as R
from core.register_bank import EXC_ILLEGAL_VALUE

_EXC_DEVICE_FAILURE = 4
_F_COMM_LOSS = 2
_RESET_CONFIG_REBOOT = 3

A_COMM_TIMEOUT = R.address(R.COMMON, "comm_loss_timeout_s")
A_MODE = R.address(R.COMMON, "mode")
A_SITE_FLAGS = R.address(R.COMMON, "site_flags")
A_CONFIG_UNIT = R.address(R.COMMON, "config_unit")
A_CONFIG_BAUD = R.address(R.COMMON, "config_baud")
A_CONFIG_PARITY = R.address(R.COMMON, "config_parity")
A_CONFIG_STOPBITS = R.address(R.COMMON, "config_stopbits")
A_CONFIG_COMMAND = R.address(R.COMMON, "config_command")
A_FAULT_SELECT = R.address(R.COMMON, "fault_log_select")
A_FAULTS = R.address(R.COMMON, "fault_flags")
A_EVENT = R.address(R.COMMON, "event_counter")


class DeviceWrites:
    # Mixed into Device: uses its bank, role, cfg, clock, wake, fault_log, _persist_later, _save,
    # _snapshot and _last_contact.
    # A write is all-or-nothing: every register of it is checked (bank limits and access, the role's
    # check_command, the baud code, the config_command magic) against the device as it stands
    # before the write, and only then is any register stored. A refused write changes nothing.
    def check(self, address, value):
        """0 when value may be written to address now, else the Modbus exception code. No effects."""
        exc = self.bank.check_write(address, value)
        if exc:
            return exc
        role = self.role
        if role and address == role._a["command"]:
            return role.check_command(value)
        if address == A_CONFIG_BAUD and value not in R.BAUD_CODES:
            return EXC_ILLEGAL_VALUE
        if address == A_CONFIG_COMMAND:
            if value != R.CONFIG_COMMIT and value != R.CONFIG_DISCARD and value != R.CONFIG_REBOOT:
                return EXC_ILLEGAL_VALUE  # magic values only: a stray write never reconfigures
            if value == R.CONFIG_COMMIT and role is None:
                return _EXC_DEVICE_FAILURE  # no valid role: fix config.json on the flash first
        return 0

    def write(self, address, value):
        """FC 06: one register; 0 or the Modbus exception code."""
        exc = self.check(address, value)
        if exc:
            return exc
        return self._apply(address, value)

    def write_many(self, address, count, payload):
        """FC 16: count big-endian registers from payload; all checked before any is stored."""
        commit_at = -1
        for i in range(count):
            value = (payload[2 * i] << 8) | payload[2 * i + 1]
            exc = self.check(address + i, value)
            if exc:
                return exc
            if address + i == A_CONFIG_COMMAND and value == R.CONFIG_COMMIT:
                commit_at = i
        if commit_at >= 0:
            # The one check that needs the flash: save what this frame commits before anything is
            # applied, so a failing flash (exception 04) leaves mode and the rest untouched too.
            exc = self._commit_frame(address, commit_at, payload)
            if exc:
                return exc
        for i in range(count):
            value = (payload[2 * i] << 8) | payload[2 * i + 1]
            if i == commit_at:
                self.bank.set(A_CONFIG_COMMAND, value)  # saved above; the slave replies, then reboots
            else:
                self._apply(address + i, value)
        return 0

    def _commit_frame(self, address, n, payload):
        # The configuration as it will be once the frame's first n registers are stored: put them
        # in the bank without acting on them, save, put the old values back.
        old = [self.bank.get(address + i) for i in range(n)]
        for i in range(n):
            self.bank.set(address + i, (payload[2 * i] << 8) | payload[2 * i + 1])
        exc = self._commit()
        for i in range(n):
            self.bank.set(address + i, old[i])
        return exc

    def _apply(self, address, value):
        """Store and act on one checked write."""
        role = self.role
        if role and address == role._a["command"]:
            self.bank.set(address, value)
            role.command(value)
            self.wake()
            return 0
        if address == A_CONFIG_COMMAND:
            exc = self._config_command(value)
            if exc:
                return exc
        self.bank.set(address, value)
        if address == A_MODE:
            self.bank.set(A_EVENT, self.bank.get(A_EVENT) + 1)
            if role:
                role.set_mode(value)
                self.wake()
        elif address == A_SITE_FLAGS:
            self._persist_later()
            if role:
                role.set_site_flags(value)
                self.wake()
        elif address == A_COMM_TIMEOUT:
            self._persist_later()
        elif address == A_FAULT_SELECT:
            self.fault_log.refresh()
        elif address >= R.ROLE_BASE:
            self._persist_later()  # only the role's "rw" registers get here: all persisted
            self.wake()  # a role parameter (hold_ms, thresholds) may change what the role waits for
        return 0

    def host_contact(self):
        """A valid request for this unit (or a broadcast) arrived: the host is alive on this line.
        Every such request, not only a heartbeat write, restarts the comm-loss timer: a polled
        device must never declare comm loss (a lost poll under noise is just retried)."""
        self._last_contact = self.clock.now()
        faults = self.bank.get(A_FAULTS)
        if faults & (1 << _F_COMM_LOSS):
            self.bank.set(A_FAULTS, faults & ~(1 << _F_COMM_LOSS))
            self.bank.set(A_EVENT, self.bank.get(A_EVENT) + 1)
            if self.role:
                self.role.on_comm_restored()
                self.wake()

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
        return self._commit()

    def _commit(self):
        cfg = self._snapshot()
        cfg["unit"] = self.bank.get(A_CONFIG_UNIT)
        cfg["baud"] = self.bank.get(A_CONFIG_BAUD) * 100
        cfg["parity"] = R.PARITY_NAMES[self.bank.get(A_CONFIG_PARITY)]
        cfg["stopbits"] = self.bank.get(A_CONFIG_STOPBITS)
        if not self._save(cfg):
            return _EXC_DEVICE_FAILURE
        self.reboot_cause = _RESET_CONFIG_REBOOT
        return 0

