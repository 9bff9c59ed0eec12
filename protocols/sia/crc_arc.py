# CRC-16/ARC (poly 0x8005 reflected = 0xA001, init 0, no final xor), the CRC of SIA DC-09 §5.5.1.
# Not CRC-16/MODBUS (protocols/crc.py): same polynomial, different initial value.
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


def crc16_arc(data):
    """CRC-16/ARC of a bytes-like object. check("123456789") = 0xBB3D."""
    table = _TABLE
    crc = 0
    for byte in data:
        crc = (crc >> 8) ^ table[(crc ^ byte) & 0xFF]
    return crc
