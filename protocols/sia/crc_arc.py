# CRC-16/ARC (poly 0x8005 reflected = 0xA001, init 0, no final xor), the CRC of SIA DC-09 §5.5.1.
# Same polynomial as CRC-16/MODBUS, so it shares protocols/crc.py's table; only the initial value
# differs.
from protocols.crc import crc16


def crc16_arc(data):
    """CRC-16/ARC of a bytes-like object. check("123456789") = 0xBB3D."""
    return crc16(data, 0, -1, 0)
