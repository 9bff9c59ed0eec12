"""Proof that a flashed device is what the site asked for: identification and configuration read
back over Modbus on the bus it is wired to, compared field by field with its config.json."""

from __future__ import annotations

import time
from dataclasses import dataclass

from controller.field.device_config import DeviceConfig
from controller.field.errors import FieldError
from controller.field.identify import _text
from controller.field.modbus_master import ModbusMaster, NoAnswer
from protocols import registers as R
from protocols.errors import ModbusError

FALLBACK_UNIT = 247  # where firmware answers when its config.json is missing or unreadable


@dataclass(frozen=True)
class Check:
    what: str  # the field checked
    expected: str
    found: str

    @property
    def ok(self) -> bool:
        return self.expected == self.found


@dataclass(frozen=True)
class ProofResult:
    passed: bool
    reason: str  # one line: why it passed or the first thing that failed
    checks: tuple[Check, ...]
    fix: str = ""  # what to do about a failure ("" when it passed)

    def as_dict(self) -> dict:
        return {"passed": self.passed, "result": "PASS" if self.passed else "FAIL",
                "reason": self.reason, "fix": self.fix,
                "checks": [{"what": c.what, "expected": c.expected, "found": c.found, "ok": c.ok}
                           for c in self.checks]}


def _wait_for(master: ModbusMaster, unit: int, boot_timeout_s: float) -> bool:
    deadline = time.monotonic() + boot_timeout_s
    while True:
        try:
            master.read_registers(unit, 0, 1)
            return True
        except (NoAnswer, ModbusError):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)


def prove(master: ModbusMaster, config: DeviceConfig, boot_timeout_s: float = 10.0) -> ProofResult:
    unit = config.unit
    if not _wait_for(master, unit, boot_timeout_s):
        reason = "no answer from unit %d on %s within %.0f s" % (
            unit, master.settings.describe(), boot_timeout_s)
        if unit != FALLBACK_UNIT and _wait_for(master, FALLBACK_UNIT, 0):
            reason += ("; a device answers at unit %d: it did not accept its config.json "
                       "(see `campusguard diag info %d`)" % (FALLBACK_UNIT, FALLBACK_UNIT))
            fix = ("read why with `campusguard diag info %d`, correct the site file's entry "
                   "(campusguard site check), then flash the configuration again"
                   % FALLBACK_UNIT)
        else:
            reason += (": wrong unit address, wrong bus or baud, or the board did not boot "
                       "(run `campusguard diag scan` on the bus to see who is there)")
            fix = ("run `campusguard diag scan` on %s to find the unit it answers at; if it "
                   "answers at another unit or speed, flash it again with the site's unit and "
                   "baud; if nothing answers, check A/B wiring, power and the board's console, "
                   "or raise --boot-timeout" % master.settings.port)
        return ProofResult(False, reason, (Check("answers at unit", str(unit), "no answer"),),
                           fix)
    checks: list[Check] = []
    try:
        objects = master.device_id(unit)
        product = _text(objects.get(1))
        checks.append(Check("product code", "CG-" + config.role.upper(), product))
        checks.append(Check("vendor", "CampusGuard", _text(objects.get(0))))
        revision = _text(objects.get(2))
        common = master.read_registers(unit, 0, max(r[R.ADDRESS] for r in R.COMMON) + 1)
        regs = {r[R.NAME]: common[r[R.ADDRESS]] for r in R.COMMON}
        firmware = "%d.%d.%d" % (regs["fw_version"] >> 8, regs["fw_version"] & 0xFF,
                                 regs["fw_patch"])
        checks.append(Check("revision matches fw_version", firmware, revision))
        checks.append(Check("role", config.role, R.ROLE_NAMES[regs["role"]]
                            if regs["role"] < len(R.ROLE_NAMES) else str(regs["role"])))
        checks.append(Check("active unit", str(unit), str(regs["active_unit"])))
        checks.append(Check("active baud", str(config.baud), str(regs["active_baud"] * 100)))
        checks.append(Check("site flags", str(config.site_flags), str(regs["site_flags"])))
        checks.append(Check("comm_loss_timeout_s", str(config.comm_loss_timeout_s),
                            str(regs["comm_loss_timeout_s"])))
        if config.serial:
            checks.append(Check("serial", str(config.serial),
                                str((regs["serial_hi"] << 16) | regs["serial_lo"])))
        checks.append(Check("configuration valid", "yes", "no" if regs["fault_flags"] & 1
                            else "yes"))
        if regs["role"] == R.role_code(config.role):
            block = R.ROLE_BLOCKS[regs["role"]]
            for name, value in sorted(config.params.items()):
                got = master.read_registers(unit, R.address(block, name), 1)[0]
                checks.append(Check("param " + name, str(value), str(got)))
    except (NoAnswer, ModbusError, FieldError) as exc:
        checks.append(Check("reading back", "answers", "failed: %s" % exc))
    bad = [c for c in checks if not c.ok]
    if bad:
        first = bad[0]
        return ProofResult(False, "%s is %s, expected %s" % (first.what, first.found,
                                                             first.expected), tuple(checks),
                           fix_for(first))
    return ProofResult(True, "unit %d is a %s, firmware %s, configured as asked (%d checks)"
                       % (unit, config.role, revision, len(checks)), tuple(checks))


def fix_for(check: Check) -> str:
    """What an installer does about the first check that failed."""
    if check.what == "reading back":
        return ("the line lost answers: see `campusguard diag bus` on this port (noise, "
                "termination, another master), then prove again with --prove-only")
    if check.what in ("product code", "vendor", "revision matches fw_version", "role"):
        return ("this board runs other firmware than the bundle for a %s: flash it again "
                "(campusguard flash --board ... --port ... --site ... --device ...)" % (
                    check.expected if check.what == "role" else "device of this role"))
    if check.what == "configuration valid":
        return ("the board rejected its configuration: `campusguard diag info` shows its fault "
                "log; correct the site file (campusguard site check) and flash again")
    return ("the board kept a configuration other than the site's (%s): flash the configuration "
            "again (campusguard flash ... --site FILE --device NAME), or correct the site file "
            "if the board is right" % check.what)
