# Wiegand 26/34 frame decoder (pure: no I/O, no clock; runs on CPython and MicroPython alike).
#   26 bits: even parity over bits 1..12 | 8-bit facility | 16-bit card | odd parity over 14..25
#   34 bits: even parity over bits 1..16 | 32-bit number            | odd parity over 18..33
# Bits are numbered from 0 (the first bit received, the leading parity) and a frame is the int the
# bits make in arrival order (first bit most significant).
# decode() returns (uid_hi, uid_lo) as two 16-bit words, or None for a frame that fails its length
# or either parity check: a corrupted read is refused, never turned into a different tag.

SUPPORTED = (26, 34)


def _ones(value):
    n = 0
    while value:
        n += value & 1
        value >>= 1
    return n


def decode(frame, nbits):
    if nbits not in SUPPORTED or frame < 0 or frame >> nbits:
        return None
    half = nbits // 2  # 13 or 17: each parity covers itself and the next (half - 1) data bits
    first = frame >> (nbits - half)  # the leading parity and the first half of the data
    last = frame & ((1 << half) - 1)  # the second half of the data and the trailing parity
    if _ones(first) & 1 or not _ones(last) & 1:
        return None  # even parity over the first half, odd over the second
    data = (frame >> 1) & ((1 << (nbits - 2)) - 1)
    if nbits == 26:
        return (data >> 16) & 0xFF, data & 0xFFFF
    return (data >> 16) & 0xFFFF, data & 0xFFFF


def encode(uid, nbits):
    """The frame a reader sends for uid (26: facility << 16 | card; 34: 32-bit number)."""
    if nbits not in SUPPORTED or uid < 0 or uid >> (nbits - 2):
        raise ValueError("uid does not fit a Wiegand %d frame" % nbits)
    half = nbits // 2
    body = uid << 1
    lead = _ones(body >> (nbits - half)) & 1  # makes the first half even
    trail = 0 if _ones(body & ((1 << half) - 1)) & 1 else 1  # makes the second half odd
    return (lead << (nbits - 1)) | body | trail
