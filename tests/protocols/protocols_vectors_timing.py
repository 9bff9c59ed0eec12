# Character timing (serial line V1.02 §2.5.1.1) and CRC check values.
from protocols_vectors_checks import h

from protocols import rtu
from protocols.crc import crc16

# (name, callable, expected value): character timing, serial line V1.02 §2.5.1.1
TIMING = (
    ("char time 9600", lambda: rtu.char_time_us(9600), 1146),  # 11 bits / 9600 = 1145.8 us
    ("char time 19200", lambda: rtu.char_time_us(19200), 573),
    ("char time 115200", lambda: rtu.char_time_us(115200), 96),
    ("char time 10-bit 9600", lambda: rtu.char_time_us(9600, 10), 1042),
    ("t1.5 9600", lambda: rtu.t15_us(9600), 1719),
    ("t3.5 9600", lambda: rtu.t35_us(9600), 4011),
    ("t1.5 19200", lambda: rtu.t15_us(19200), 860),  # 19200 is not above 19200: computed
    ("t3.5 19200", lambda: rtu.t35_us(19200), 2006),
    ("t1.5 38400 fixed", lambda: rtu.t15_us(38400), 750),
    ("t3.5 38400 fixed", lambda: rtu.t35_us(38400), 1750),
    ("t3.5 115200 fixed", lambda: rtu.t35_us(115200), 1750),
    ("frame 8 bytes 9600", lambda: rtu.frame_time_us(8, 9600), 9167),
    ("frame 256 bytes 115200", lambda: rtu.frame_time_us(256, 115200), 24445),
    ("spec CRC of 02 07", lambda: crc16(h("02 07")), 0x1241),
    ("CRC-16/MODBUS check value", lambda: crc16(b"123456789"), 0x4B37),
)
