# Modbus PDU codes and field helpers shared by the request and reply codecs (Modbus Application
# Protocol V1.1b3). Pure: runs on CPython and MicroPython.
from protocols.errors import BadCount, FrameError, TruncatedFrame, UnknownFunction

FC_READ_COILS = 0x01
FC_READ_DISCRETE_INPUTS = 0x02
FC_READ_HOLDING_REGISTERS = 0x03
FC_READ_INPUT_REGISTERS = 0x04
FC_WRITE_SINGLE_COIL = 0x05
FC_WRITE_SINGLE_REGISTER = 0x06
FC_DIAGNOSTICS = 0x08
FC_WRITE_MULTIPLE_COILS = 0x0F
FC_WRITE_MULTIPLE_REGISTERS = 0x10
FC_ENCAPSULATED = 0x2B
MEI_READ_DEVICE_ID = 0x0E
EXCEPTION_FLAG = 0x80

FUNCTIONS = (1, 2, 3, 4, 5, 6, 8, 0x0F, 0x10, 0x2B)

# Diagnostics sub-functions (spec §6.8). The counters count since the last restart, clear
# counters (0x0A) or power-up; "bus" counts every frame seen, "server" only those addressed to us.
DIAG_RETURN_QUERY = 0x00  # echo the data word
DIAG_CLEAR_COUNTERS = 0x0A
DIAG_BUS_MESSAGE_COUNT = 0x0B
DIAG_BUS_COMM_ERROR_COUNT = 0x0C  # CRC errors
DIAG_BUS_EXCEPTION_COUNT = 0x0D  # exception responses sent
DIAG_SERVER_MESSAGE_COUNT = 0x0E
DIAG_SERVER_NO_RESPONSE_COUNT = 0x0F  # includes broadcasts
DIAG_SERVER_NAK_COUNT = 0x10
DIAG_SERVER_BUSY_COUNT = 0x11
DIAG_BUS_CHAR_OVERRUN_COUNT = 0x12
DIAG_SUBFUNCTIONS = (0x00, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10, 0x11, 0x12)

# Read device identification (spec §6.21): object ids and read codes
DEVICE_ID_VENDOR = 0
DEVICE_ID_PRODUCT_CODE = 1
DEVICE_ID_REVISION = 2
DEVICE_ID_VENDOR_URL = 3
DEVICE_ID_PRODUCT_NAME = 4
DEVICE_ID_MODEL_NAME = 5
READ_DEVICE_ID_BASIC = 1  # stream objects 0..2
READ_DEVICE_ID_REGULAR = 2  # stream objects 3..
READ_DEVICE_ID_EXTENDED = 3
READ_DEVICE_ID_SPECIFIC = 4  # one object, individual access
CONFORMITY_BASIC_STREAM = 0x01
CONFORMITY_BASIC_STREAM_AND_INDIVIDUAL = 0x81

# Quantity limits (spec §6.1-6.12): they keep every reply within a 253-byte PDU
MAX_READ_BITS = 2000
MAX_READ_REGISTERS = 125
MAX_WRITE_BITS = 1968
MAX_WRITE_REGISTERS = 123
COIL_ON = 0xFF00
COIL_OFF = 0x0000
MAX_PDU = 253

# ---------------------------------------------------------------- field helpers


def _u16(data, i):
    return (data[i] << 8) | data[i + 1]


def _put16(buf, i, value):
    buf[i] = (value >> 8) & 0xFF
    buf[i + 1] = value & 0xFF


def payload_register(data, i):
    """Register i (0-based) of a big-endian register payload, e.g. an FC10 request's data."""
    return (data[2 * i] << 8) | data[2 * i + 1]


def payload_bit(data, i):
    """Bit i (0-based, LSB of the first byte first) of a packed bit payload, e.g. FC0F data."""
    return (data[i >> 3] >> (i & 7)) & 1


def _exact(fc, n, want):
    if n < want:
        raise TruncatedFrame("function 0x%02X PDU has %d bytes, needs %d" % (fc, n, want))
    if n > want:
        raise FrameError("function 0x%02X PDU has %d bytes, expected %d" % (fc, n, want))


def _check_range(what, value, lo, hi):
    if value < lo or value > hi:
        raise BadCount("%s %d outside %d..%d" % (what, value, lo, hi))


def _read_limit(fc):
    return MAX_READ_BITS if fc <= FC_READ_DISCRETE_INPUTS else MAX_READ_REGISTERS


def _check_word(what, value):
    _check_range(what, value, 0, 0xFFFF)


def _check_function(fc, lo, hi):
    if fc != lo and fc != hi:
        raise UnknownFunction(fc, "function 0x%02X is not 0x%02X or 0x%02X here" % (fc, lo, hi))


def _fc_two_words_into(buf, pos, fc, first, second):
    buf[pos] = fc
    _put16(buf, pos + 1, first)
    _put16(buf, pos + 3, second)
    return pos + 5
