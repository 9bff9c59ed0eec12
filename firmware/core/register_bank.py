# The preallocated register bank: the common block (addresses 0..COMMON_SIZE-1) and the role block
# (ROLE_BASE..), one array('H') each, with the limits of every register copied out of
# protocols/registers.py at boot so a write is checked without searching the tuples (STYLE rule 11).
from array import array

try:
    from micropython import const
except ImportError:  # CPython host tests

    def const(x):
        return x


from core import register_map as R

_UNDEFINED = const(0)
_READ_ONLY = const(1)
_WRITABLE = const(2)

# Returned by check_write: 0 = accepted, else the Modbus exception code.
EXC_ILLEGAL_ADDRESS = const(2)
EXC_ILLEGAL_VALUE = const(3)


def _zeros(typecode, n):
    return array(typecode, (0 for _ in range(n)))


class RegisterBank:
    def __init__(self, role_code):
        block = R.role_block(role_code)
        self.role_code = role_code if block else 0
        self.role_block = block
        self.role_size = R.block_size(block) if block else 0
        n = R.COMMON_SIZE + self.role_size
        self.values = _zeros("H", n)
        self.lo = _zeros("H", n)
        self.hi = _zeros("H", n)
        self.access = bytearray(n)
        self._load(R.COMMON, 0)
        if block:
            self._load(block, R.ROLE_BASE)

    def _load(self, block, base):
        offset = 0 if base == 0 else R.COMMON_SIZE
        for reg in block:
            i = offset + reg[R.ADDRESS] - base
            self.values[i] = reg[R.DEFAULT]
            self.lo[i] = reg[R.LO]
            self.hi[i] = reg[R.HI]
            self.access[i] = _READ_ONLY if reg[R.ACCESS] == "r" else _WRITABLE

    def index(self, address):
        """Array index of a register address, or -1 when no block holds it."""
        if 0 <= address < R.COMMON_SIZE:
            return address
        if R.ROLE_BASE <= address < R.ROLE_BASE + self.role_size:
            return R.COMMON_SIZE + address - R.ROLE_BASE
        return -1

    def span_ok(self, address, count):
        """True when address..address+count-1 lie inside one block (reads never straddle a gap)."""
        first = self.index(address)
        last = self.index(address + count - 1)
        return first >= 0 and last >= 0 and last - first == count - 1

    def get(self, address):
        return self.values[self.index(address)]

    def set(self, address, value):
        self.values[self.index(address)] = value & 0xFFFF

    def check_write(self, address, value):
        """0 when value may be written to address; otherwise exception 02 (read-only or no
        register) or 03 (outside the register's [lo, hi]: refused, never clamped)."""
        i = self.index(address)
        if i < 0 or self.access[i] != _WRITABLE:
            return EXC_ILLEGAL_ADDRESS
        if value < self.lo[i] or value > self.hi[i]:
            return EXC_ILLEGAL_VALUE
        return 0

    def read_into(self, address, count, out):
        i = self.index(address)
        for k in range(count):
            out[k] = self.values[i + k]


def addr(block, name):
    return R.address(block, name)
