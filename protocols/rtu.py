# Modbus RTU framing (Modbus over serial line V1.02 §2.5.1): ADU = unit (1) + PDU + CRC (2, low
# byte first). Building and splitting frames, the frame length a receiver expects from the function
# code (so it knows a frame is complete before the t3.5 silence), and the character timings.
# Pure: no I/O, no clocks. Runs on CPython and MicroPython.
from protocols.crc import crc16, crc_ok
from protocols.errors import CrcError, OversizeFrame, TruncatedFrame, UnknownFunction

MAX_ADU = 256  # serial line V1.02 §2.5.1: RS-485 ADU <= 256 bytes
MAX_PDU = MAX_ADU - 3  # 253: unit and CRC take 3
MIN_ADU = 4  # unit + function + CRC (an exception response is 5)
BROADCAST = 0  # unit 0: every slave acts, none replies
MAX_UNIT = 247  # 248..255 are reserved

CHAR_BITS = 11  # start + 8 data + parity + stop, or start + 8 + 2 stop when there is no parity
FAST_BAUD = 19200  # above this, t1.5 and t3.5 are fixed (serial line V1.02 §2.5.1.1)
FAST_T15_US = 750
FAST_T35_US = 1750

EXCEPTION_ADU = 5  # unit, fc | 0x80, code, CRC


def build_adu(unit, pdu):
    """unit + pdu + CRC (low byte first) as bytes. OversizeFrame when it would exceed 256 bytes."""
    n = len(pdu)
    if n < 1:
        raise TruncatedFrame("a PDU needs at least a function code")
    if n > MAX_PDU:
        raise OversizeFrame("PDU of %d bytes makes an ADU over %d bytes" % (n, MAX_ADU))
    if unit < 0 or unit > 255:
        raise ValueError("unit %d outside 0..255" % (unit,))
    buf = bytearray(n + 3)
    buf[0] = unit
    buf[1 : n + 1] = pdu
    finish_adu(buf, n + 1)
    return bytes(buf)


def finish_adu(buf, length):
    """Append the CRC of buf[:length] at buf[length:length + 2] in place; return length + 2.

    buf is a preallocated bytearray (firmware reply buffer): nothing is allocated.
    """
    if length + 2 > MAX_ADU:
        raise OversizeFrame("ADU of %d bytes exceeds %d" % (length + 2, MAX_ADU))
    crc = crc16(buf, 0, length)
    buf[length] = crc & 0xFF
    buf[length + 1] = crc >> 8
    return length + 2


def split_adu(frame, length=-1):
    """(unit, pdu) of frame[:length] after checking its size and CRC.

    pdu is a memoryview slice into frame (no copy). Raises OversizeFrame (> 256 bytes),
    TruncatedFrame (< 4 bytes: no room for unit, function and CRC) or CrcError.
    """
    if length < 0:
        length = len(frame)
    if length > MAX_ADU:
        raise OversizeFrame("frame of %d bytes exceeds %d" % (length, MAX_ADU))
    if length < MIN_ADU:
        raise TruncatedFrame("frame of %d bytes is shorter than %d" % (length, MIN_ADU))
    if not crc_ok(frame, length):
        raise CrcError(
            "CRC mismatch: frame ends %02X %02X, content gives %04X"
            % (frame[length - 2], frame[length - 1], _swap(crc16(frame, 0, length - 2)))
        )
    return frame[0], memoryview(frame)[1 : length - 2]


def _swap(crc):
    # shown as on the wire: low byte first
    return ((crc & 0xFF) << 8) | (crc >> 8)


# Fixed ADU lengths (unit + PDU + CRC) by function code, 0 = depends on a byte count.
# Requests: 01-06 and 08 carry two 16-bit fields; 07/0B/0C/11 none; 16 (mask write) three;
# 18 (read FIFO) one; 2B/0E three bytes (MEI type, read code, object id).
_REQUEST_FIXED = {
    1: 8,
    2: 8,
    3: 8,
    4: 8,
    5: 8,
    6: 8,
    7: 4,
    8: 8,
    0x0B: 4,
    0x0C: 4,
    0x11: 4,
    0x16: 10,
    0x18: 6,
    0x2B: 7,
}
# Requests whose length is a byte count: function -> (index of the byte count, ADU bytes beside it)
_REQUEST_COUNTED = {
    0x0F: (6, 9),  # unit fc addr(2) qty(2) count data crc(2)
    0x10: (6, 9),
    0x14: (2, 5),  # read file record: unit fc count data crc(2)
    0x15: (2, 5),
    0x17: (10, 13),  # read/write multiple: unit fc raddr rqty waddr wqty count data crc
}
_RESPONSE_FIXED = {5: 8, 6: 8, 7: 5, 8: 8, 0x0B: 8, 0x0F: 8, 0x10: 8, 0x16: 10}
_RESPONSE_COUNTED = {
    1: (2, 5),
    2: (2, 5),
    3: (2, 5),
    4: (2, 5),
    0x0C: (2, 5),
    0x11: (2, 5),
    0x14: (2, 5),
    0x15: (2, 5),
    0x17: (2, 5),
}


def _counted(buf, n, where):
    index, fixed = where
    if n <= index:
        return 0
    total = fixed + buf[index]
    if total > MAX_ADU:
        raise OversizeFrame("byte count %d makes a frame of %d bytes" % (buf[index], total))
    return total


def request_length(buf, n):
    """Expected ADU length (with CRC) of the request whose first n bytes are in buf.

    0 when more bytes are needed to know. UnknownFunction for a function code whose length this
    table does not know: the receiver then falls back to the t3.5 silence to end the frame.
    """
    if n < 2:
        return 0
    fc = buf[1]
    total = _REQUEST_FIXED.get(fc, 0)
    if total:
        return total
    where = _REQUEST_COUNTED.get(fc)
    if where is None:
        raise UnknownFunction(fc)
    return _counted(buf, n, where)


def response_length(buf, n):
    """Expected ADU length (with CRC) of the response whose first n bytes are in buf.

    0 when more bytes are needed; 5 for an exception response (fc | 0x80); UnknownFunction for a
    function code this table does not know.
    """
    if n < 2:
        return 0
    fc = buf[1]
    if fc & 0x80:
        return EXCEPTION_ADU
    total = _RESPONSE_FIXED.get(fc, 0)
    if total:
        return total
    if fc == 0x2B:
        return _device_id_response_length(buf, n)
    if fc == 0x18:
        # read FIFO: unit fc count(2) ... crc; the count is 16 bits
        if n < 4:
            return 0
        total = 6 + ((buf[2] << 8) | buf[3])
        if total > MAX_ADU:
            raise OversizeFrame("FIFO byte count makes a frame of %d bytes" % (total,))
        return total
    where = _RESPONSE_COUNTED.get(fc)
    if where is None:
        raise UnknownFunction(fc)
    return _counted(buf, n, where)


def _device_id_response_length(buf, n):
    # unit 2B 0E code conformity more next_id count {id len value}* crc(2)
    if n >= 3 and buf[2] != 0x0E:
        raise UnknownFunction(0x2B, "MEI type 0x%02X is not supported" % buf[2])
    if n < 8:
        return 0
    objects = buf[7]
    pos = 8
    for _ in range(objects):
        if n < pos + 2:
            return 0
        pos += 2 + buf[pos + 1]
        if pos + 2 > MAX_ADU:
            raise OversizeFrame("device identification objects exceed %d bytes" % (MAX_ADU,))
    return pos + 2


# ---------------------------------------------------------------- timing (integer microseconds)


def _ceil_div(a, b):
    return (a + b - 1) // b


def char_time_us(baud, bits=CHAR_BITS):
    """Time on the wire of one character, rounded up to the microsecond."""
    return _ceil_div(bits * 1000000, baud)


def t15_us(baud, bits=CHAR_BITS):
    """Longest gap allowed inside a frame: 1.5 characters, fixed 750 us above 19200 baud."""
    if baud > FAST_BAUD:
        return FAST_T15_US
    return _ceil_div(3 * bits * 1000000, 2 * baud)


def t35_us(baud, bits=CHAR_BITS):
    """Silence that ends a frame: 3.5 characters, fixed 1750 us above 19200 baud."""
    if baud > FAST_BAUD:
        return FAST_T35_US
    return _ceil_div(7 * bits * 1000000, 2 * baud)


def frame_time_us(nbytes, baud, bits=CHAR_BITS):
    """Time on the wire of nbytes back-to-back characters, rounded up to the microsecond."""
    return _ceil_div(nbytes * bits * 1000000, baud)
