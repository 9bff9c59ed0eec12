"""Our devices' registers for the field tools: find a register by name or address for a role, and
decode a raw value into what a technician reads (state names, bit names, units), all from
protocols/registers.py, the one source of truth."""

from __future__ import annotations

from dataclasses import dataclass

from controller.field.access_decode import decode_access
from protocols import registers as R


@dataclass(frozen=True)
class Register:
    block: str  # "common" or the role name
    name: str  # register name as in protocols/registers.py
    address: int  # holding register address
    access: str  # "r", "rw" or "w"
    lo: int  # lowest value accepted on write
    hi: int  # highest value accepted on write
    unit: str  # engineering unit ("s", "ms", "bits", ...)
    doc: str  # one-line description

    @property
    def qualified(self) -> str:
        return "%s.%s" % (self.block, self.name)

    @property
    def writable(self) -> bool:
        return self.access in ("rw", "w")


def _wrap(block: str, reg: tuple) -> Register:
    return Register(block, reg[R.NAME], reg[R.ADDRESS], reg[R.ACCESS], reg[R.LO], reg[R.HI],
                    reg[R.UNIT], reg[R.DOC])


def common_registers() -> list[Register]:
    return [_wrap("common", reg) for reg in R.COMMON]


def role_registers(role: int) -> list[Register]:
    if role < 1 or role >= len(R.ROLE_BLOCKS):
        return []
    return [_wrap(R.ROLE_NAMES[role], reg) for reg in R.ROLE_BLOCKS[role]]


def all_registers(role: int) -> list[Register]:
    return common_registers() + role_registers(role)


def find_register(role: int, key: str) -> Register | None:
    """By address ("101", "0x65"), qualified name ("gate.state", "common.state") or plain name
    (the role block wins over common for names in both, e.g. "state")."""
    regs = all_registers(role)
    try:
        addr = int(key, 0)
    except ValueError:
        addr = -1
    if addr >= 0:
        return next((r for r in regs if r.address == addr), None)
    if "." in key:
        return next((r for r in regs if r.qualified == key), None)
    for reg in role_registers(role) + common_registers():
        if reg.name == key:
            return reg
    return None


def _names(role: int, suffix: str) -> tuple | None:
    if role < 1 or role >= len(R.ROLE_NAMES):
        return None
    return getattr(R, "%s_%s" % (R.ROLE_NAMES[role].upper(), suffix), None)


def _pick(names, value: int) -> str:
    if names and 0 <= value < len(names):
        return names[value]
    return "unknown(%d)" % value


def decode(role: int, reg: Register, value: int) -> str:
    """Human text for a raw value: names for enumerations and bits, scaled units otherwise."""
    name = reg.name
    if name == "role":
        return _pick(R.ROLE_NAMES, value)
    if name == "state":
        names = R.STATE_NAMES[role] if 0 < role < len(R.STATE_NAMES) else None
        return _pick(names, value)
    if name == "reset_cause":
        return _pick(R.RESET_CAUSE_NAMES, value)
    if name == "mode":
        return _pick(R.MODE_NAMES, value)
    if name == "config_parity":
        return _pick(R.PARITY_NAMES, value)
    if name == "fw_version":
        return "%d.%d" % (value >> 8, value & 0xFF)
    if name in ("config_baud", "active_baud"):
        return "%d baud" % (value * 100)
    if name == "heap_free":
        return "%d B" % (value * 16)
    access = decode_access(role, name, value)
    if access is not None:
        return access
    bits = None
    if name == "site_flags":
        bits = R.SITE_FLAG_NAMES
    elif name == "fault_flags":
        bits = R.COMMON_FAULT_NAMES
    elif name == "faults":
        bits = R.FAULT_NAMES[role] if 0 < role < len(R.FAULT_NAMES) else None
    elif name in ("inputs", "outputs"):
        bits = _names(role, name[:-1].upper() + "_NAMES")
    if bits is not None:
        return ",".join(R.bit_names(value, bits)) or "-"
    if name == "command" and reg.block != "common":
        if reg.block == "panic":
            return {0: "none", R.PANIC_COMMAND_ACK: "acknowledge",
                    R.PANIC_RESET_KEY: "reset"}.get(value, str(value))
        return _pick(_names(role, "COMMAND_NAMES"), value)
    if reg.unit.startswith("0.01 "):
        return "%.2f %s" % (value * 0.01, reg.unit[5:])
    if reg.unit in ("", "bits", "counts"):
        return str(value) + ("" if reg.unit != "counts" else " counts")
    return "%d %s" % (value, reg.unit)


def command_value(role: int, reg: Register, text: str) -> int:
    """A value for a write: a number, or a command/enumeration name ("open", "lockdown")."""
    try:
        return int(text, 0)
    except ValueError:
        pass
    table = None
    if reg.name == "command" and reg.block == "panic":
        table = {"none": 0, "acknowledge": R.PANIC_COMMAND_ACK, "ack": R.PANIC_COMMAND_ACK,
                 "reset": R.PANIC_RESET_KEY}
    elif reg.name == "command":
        table = {n: i for i, n in enumerate(_names(role, "COMMAND_NAMES") or ())}
    elif reg.name == "mode":
        table = {n: i for i, n in enumerate(R.MODE_NAMES)}
    elif reg.name == "config_parity":
        table = {n: i for i, n in enumerate(R.PARITY_NAMES)}
    if table and text in table:
        return table[text]
    choices = ", ".join(sorted(table)) if table else "a number"
    raise ValueError("%r is not a value for %s: use %s" % (text, reg.qualified, choices))
