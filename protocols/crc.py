# CRC-16/MODBUS (poly 0xA001 reflected, init 0xFFFF), table-driven.
# Modbus over serial line V1.02 §6.2.2. The table is built once at import; crc16() allocates nothing.
from array import array

_POLY = 0xA001


def _build_table():
    table = array("H", bytes(512))
    for i in range(256):
        crc = i
        for _ in range(8):
            crc = (crc >> 1) ^ _POLY if crc & 1 else crc >> 1
        table[i] = crc
    return table


_TABLE = _build_table()


def crc16(data, start=0, end=-1, init=0xFFFF):
    """CRC-16/MODBUS of data[start:end] (end < 0 means to the end). No slicing, no allocation.

    init=0 gives CRC-16/ARC (SIA DC-09): the same reflected polynomial, another initial value.
    """
    if end < 0:
        end = len(data)
    table = _TABLE
    crc = init
    for i in range(start, end):
        crc = (crc >> 8) ^ table[(crc ^ data[i]) & 0xFF]
    return crc


def crc_ok(frame, length=-1):
    """True when the last two bytes of frame[:length] are its CRC (low byte first, as on the wire)."""
    if length < 0:
        length = len(frame)
    if length < 4:
        return False
    crc = crc16(frame, 0, length - 2)
    return frame[length - 2] == (crc & 0xFF) and frame[length - 1] == (crc >> 8)
