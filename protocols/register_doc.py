# Renders docs/registers.md from protocols/registers.py, so the document can never drift from the
# map that firmware, host and simulator read. Pure: returns text; tools/gen_register_doc.py writes
# or checks the file (`make docs`), tests/protocols/test_protocols_register_doc.py fails when the
# committed document is stale.
#
# Every block is a table (address, name, access, range, default, unit, description); after it come
# the enumerations and bit names of the block, found by name in registers.py: <PREFIX>_*_NAMES
# tuples (bits when the name says INPUT, FAULT, OUTPUT or FLAG, values otherwise) and the other
# <PREFIX>_* constants. A constant added to registers.py therefore shows up without touching this.
from protocols import registers as _registers

_ACCESS = {"r": "read", "rw": "read/write", "w": "command"}
_BIT_WORDS = ("INPUT", "FAULT", "OUTPUT", "FLAG")
_ROLE_PREFIXES = ("GATE", "BOLLARD", "PANIC", "SMOKE")
# module constants that describe the table layout itself, not the device
_LAYOUT = (
    "NAME",
    "ADDRESS",
    "ACCESS",
    "LO",
    "HI",
    "DEFAULT",
    "UNIT",
    "DOC",
    "COMMON",
    "GATE",
    "BOLLARD",
    "PANIC",
    "SMOKE",
    "ROLE_BLOCKS",
    "STATE_NAMES",
    "FAULT_NAMES",
)

_INTRO = """\
# CampusGuard register map

Generated from `protocols/registers.py` by `make docs`: do not edit by hand.

Every device is a Modbus RTU slave (RS-485, 11-bit characters). All registers are 16-bit holding
registers: read with function 03 (function 04 reads the same bank), write with 06 or 16 (0x10).
32-bit values are two registers, high word first. A write outside the range below is refused with
exception 03 (illegal data value), never clamped; a write to a read-only register is refused with
exception 02 (illegal data address). Access "command" registers take a command and read back the
last command accepted. Unit 0 is broadcast: every device acts, none replies.

Every device answers the common block at addresses {common_first}-{common_last}; its role block starts
at {role_base}.
"""


def _number(value):
    if isinstance(value, int) and value >= 0x1000 and value != 65535:
        return "0x%04X" % value
    return str(value)


def _cell(text):
    return str(text).replace("|", "\\|")


def _block_table(block):
    lines = [
        "| address | name | access | range | default | unit | description |",
        "|---:|---|---|---|---:|---|---|",
    ]
    for reg in block:
        lines.append(
            "| %d | `%s` | %s | %s..%s | %s | %s | %s |"
            % (
                reg[_registers.ADDRESS],
                reg[_registers.NAME],
                _ACCESS.get(reg[_registers.ACCESS], reg[_registers.ACCESS]),
                _number(reg[_registers.LO]),
                _number(reg[_registers.HI]),
                _number(reg[_registers.DEFAULT]),
                _cell(reg[_registers.UNIT]),
                _cell(reg[_registers.DOC]),
            )
        )
    return lines


def _names_table(title, names, bits):
    head = "bit" if bits else "value"
    lines = ["", "**%s**" % title, "", "| %s | name |" % head, "|---:|---|"]
    for index in range(len(names)):
        lines.append("| %d | `%s` |" % (index, names[index]))
    return lines


def _constants_table(constants):
    lines = ["", "**Constants**", "", "| name | value |", "|---|---|"]
    for name, value in constants:
        if isinstance(value, tuple):
            shown = ", ".join(_number(v) for v in value)
        else:
            shown = _number(value)
        lines.append("| `%s` | %s |" % (name, shown))
    return lines


def _is_bits(name):
    for word in _BIT_WORDS:
        if word in name:
            return True
    return False


def _title(name):
    return name[: -len("_NAMES")].replace("_", " ").capitalize() + (
        " bits" if _is_bits(name) else " values"
    )


def _extras(names, registers):
    """Enumeration tables then a constants table for the module names given."""
    lines = []
    constants = []
    for name in names:
        value = getattr(registers, name)
        if name.endswith("_NAMES") and isinstance(value, tuple):
            lines += _names_table(_title(name), value, _is_bits(name))
        elif isinstance(value, (int, tuple)):
            constants.append((name, value))
    if constants:
        lines += _constants_table(constants)
    return lines


def _public_names(registers):
    out = []
    for name in sorted(dir(registers)):
        if name.startswith("_") or not name.isupper() or name in _LAYOUT:
            continue
        if isinstance(getattr(registers, name), (int, tuple)):
            out.append(name)
    return out


def _role_of(name):
    for prefix in _ROLE_PREFIXES:
        if name.startswith(prefix + "_"):
            return prefix
    return None


def render(registers=_registers):
    """The whole Markdown document for the given register module."""
    common = registers.COMMON
    lines = _INTRO.format(
        common_first=common[0][registers.ADDRESS],
        common_last=common[0][registers.ADDRESS] + registers.COMMON_SIZE - 1,
        role_base=registers.ROLE_BASE,
    ).splitlines()
    names = _public_names(registers)
    lines += ["", "## Common block (every role)", ""]
    lines += _block_table(common)
    lines += _extras([n for n in names if _role_of(n) is None], registers)
    blocks = registers.ROLE_BLOCKS
    for code in range(1, len(blocks)):
        role = registers.ROLE_NAMES[code]
        block = blocks[code]
        lines += [
            "",
            "## %s (role %d), addresses %d-%d"
            % (role.capitalize(), code, block[0][registers.ADDRESS], block[-1][registers.ADDRESS]),
            "",
        ]
        lines += _block_table(block)
        lines += _extras([n for n in names if _role_of(n) == role.upper()], registers)
    return "\n".join(lines) + "\n"
