# The register map of protocols/registers.py, compacted for a small heap: the constants, the common
# block, and the block of the role this device runs, as (name, address, access, lo, hi, default)
# tuples without unit and doc strings. Same indexes as protocols.registers, so firmware reads
# R.address(block, name), R.MODE_FIRE... as there. Once main.py calls select_role(), MicroPython
# drops the full module from sys.modules: its doc strings alone would take ~28 KB of a 96 KB heap.
import sys

from protocols import registers as _R

NAME = 0
ADDRESS = 1
ACCESS = 2
LO = 3
HI = 4
DEFAULT = 5

_KEEP_TUPLES = ("ROLE_NAMES", "MODE_NAMES", "BAUD_CODES", "PARITY_NAMES", "RESET_CAUSE_NAMES")


def _compact(block):
    return tuple(tuple(reg[:6]) for reg in block)


_g = globals()
for _name in dir(_R):
    _v = getattr(_R, _name)
    if not _name.startswith("_") and isinstance(_v, int) and _name not in _g:
        _g[_name] = _v
for _name in _KEEP_TUPLES:
    _g[_name] = getattr(_R, _name)
COMMON = _compact(_R.COMMON)
_blocks = [None] * len(_R.ROLE_NAMES)
_state_names = [None] * len(_R.ROLE_NAMES)
del _g, _name, _v


def role_block(code):
    """The compact register block of role code (1..7), or None for role "none"."""
    if not 0 < code < len(_blocks):
        return None
    if _blocks[code] is None and _R is not None:
        if code < _R.ACCESS_FIRST_ROLE:
            _blocks[code] = _compact(_R.ROLE_BLOCKS[code])
            _state_names[code] = _R.STATE_NAMES[code]
        else:
            _access_block(code)
    return _blocks[code]


def _access_block(code):
    """Door, checkpoint, intrusion: their module (and its constants) only when asked for."""
    from protocols import registers_access as _A

    g = globals()
    for name in dir(_A):
        v = getattr(_A, name)
        if not name.startswith("_") and isinstance(v, int) and name not in g:
            g[name] = v
    i = code - _R.ACCESS_FIRST_ROLE
    _blocks[code] = _compact(_A.BLOCKS[i])
    _state_names[code] = _A.BLOCK_STATE_NAMES[i]


def state_names(code):
    role_block(code)
    return _state_names[code]


def select_role(code):
    """Keep only role code's tables; on MicroPython forget protocols.registers to free its heap."""
    global _R
    role_block(code)
    for i in range(len(_blocks)):
        if i != code and sys.implementation.name == "micropython":
            _blocks[i] = None
            _state_names[i] = None
    if sys.implementation.name == "micropython":
        _R = None
        unload("protocols.registers")
        if "protocols.registers_access" in sys.modules:
            unload("protocols.registers_access")


# role_code, find, address and block_size repeat protocols.registers on purpose: a function object
# keeps its module's globals alive, so borrowing registers.find would pin the whole module (23 KB
# measured on the unix port) after select_role() unloads it.


def role_code(role_name):
    """Role name ("gate", ...) to its code; ValueError for an unknown name."""
    for code in range(1, len(ROLE_NAMES)):  # noqa: F821 - copied from protocols.registers above
        if ROLE_NAMES[code] == role_name:  # noqa: F821
            return code
    raise ValueError("unknown role %r" % (role_name,))


def find(block, name):
    for reg in block:
        if reg[NAME] == name:
            return reg
    raise KeyError(name)


def address(block, name):
    return find(block, name)[ADDRESS]


def block_size(block):
    return block[-1][ADDRESS] - block[0][ADDRESS] + 1


def unload(module_name):
    """Forget a protocols module after its tables were copied (MicroPython only: frees its heap)."""
    if sys.implementation.name != "micropython":
        return
    sys.modules.pop(module_name, None)
    package = sys.modules.get("protocols")
    if package is not None:
        try:
            delattr(package, module_name.rpartition(".")[2])
        except (AttributeError, TypeError):
            pass
