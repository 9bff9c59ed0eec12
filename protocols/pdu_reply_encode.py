# Slave side: encode reply PDUs. *_into(buf, pos, ...) writes the PDU at buf[pos:] and returns the
# position after it: with the unit at buf[0], pos = 1 and rtu.finish_adu(buf, end), a reply costs
# no allocation (firmware). The plain encoders validate and return bytes (host, simulator).
# Pure: runs on CPython and MicroPython.
from protocols.errors import FrameError, UnknownFunction
from protocols.pdu_codes import (
    CONFORMITY_BASIC_STREAM,
    EXCEPTION_FLAG,
    FC_DIAGNOSTICS,
    FC_ENCAPSULATED,
    FC_READ_COILS,
    FC_READ_DISCRETE_INPUTS,
    FC_READ_HOLDING_REGISTERS,
    FC_READ_INPUT_REGISTERS,
    FC_WRITE_MULTIPLE_COILS,
    FC_WRITE_MULTIPLE_REGISTERS,
    FC_WRITE_SINGLE_COIL,
    FC_WRITE_SINGLE_REGISTER,
    MAX_PDU,
    MAX_READ_BITS,
    MAX_READ_REGISTERS,
    MEI_READ_DEVICE_ID,
    READ_DEVICE_ID_BASIC,
    READ_DEVICE_ID_SPECIFIC,
    _check_function,
    _check_range,
    _check_word,
    _fc_two_words_into,
)


def encode_read_bits_into(buf, pos, fc, bits, first, count):
    """Reply to 01/02 from bits[first:first + count] (0/1 each), packed LSB first."""
    _check_range("quantity", count, 1, MAX_READ_BITS)
    nbytes = (count + 7) >> 3
    buf[pos] = fc
    buf[pos + 1] = nbytes
    p = pos + 2
    for i in range(nbytes):
        buf[p + i] = 0
    for i in range(count):
        if bits[first + i]:
            buf[p + (i >> 3)] |= 1 << (i & 7)
    return p + nbytes


def encode_read_registers_into(buf, pos, fc, registers, first, count):
    """Reply to 03/04 from registers[first:first + count] (e.g. an array('H') bank), big-endian."""
    _check_range("quantity", count, 1, MAX_READ_REGISTERS)
    buf[pos] = fc
    buf[pos + 1] = 2 * count
    p = pos + 2
    for i in range(first, first + count):
        value = registers[i]
        buf[p] = (value >> 8) & 0xFF
        buf[p + 1] = value & 0xFF
        p += 2
    return p


def encode_write_single_into(buf, pos, fc, address, value):
    """Reply to 05/06: the request echoed."""
    return _fc_two_words_into(buf, pos, fc, address, value)


def encode_write_multiple_into(buf, pos, fc, address, count):
    """Reply to 0F/10: address and quantity written."""
    return _fc_two_words_into(buf, pos, fc, address, count)


def encode_diagnostics_into(buf, pos, subfunction, data_word):
    """Reply to 08: sub-function and data (the echo, or the counter asked for)."""
    return _fc_two_words_into(buf, pos, FC_DIAGNOSTICS, subfunction, data_word & 0xFFFF)


def encode_exception_into(buf, pos, fc, code):
    buf[pos] = (fc | EXCEPTION_FLAG) & 0xFF
    buf[pos + 1] = code
    return pos + 2


def encode_read_bits_response(fc, bits):
    """01/02 reply PDU; bits is a sequence of 0/1."""
    _check_function(fc, FC_READ_COILS, FC_READ_DISCRETE_INPUTS)
    count = len(bits)
    _check_range("quantity", count, 1, MAX_READ_BITS)
    buf = bytearray(2 + ((count + 7) >> 3))
    encode_read_bits_into(buf, 0, fc, bits, 0, count)
    return bytes(buf)


def encode_read_registers_response(fc, values):
    """03/04 reply PDU; values are ints 0..65535."""
    _check_function(fc, FC_READ_HOLDING_REGISTERS, FC_READ_INPUT_REGISTERS)
    count = len(values)
    _check_range("quantity", count, 1, MAX_READ_REGISTERS)
    for value in values:
        _check_word("register value", value)
    buf = bytearray(2 + 2 * count)
    encode_read_registers_into(buf, 0, fc, values, 0, count)
    return bytes(buf)


def encode_write_single_response(fc, address, value):
    _check_function(fc, FC_WRITE_SINGLE_COIL, FC_WRITE_SINGLE_REGISTER)
    _check_word("address", address)
    _check_word("value", value)
    buf = bytearray(5)
    encode_write_single_into(buf, 0, fc, address, value)
    return bytes(buf)


def encode_write_multiple_response(fc, address, count):
    if fc != FC_WRITE_MULTIPLE_COILS and fc != FC_WRITE_MULTIPLE_REGISTERS:
        raise UnknownFunction(fc, "function 0x%02X is not a multiple write" % fc)
    _check_word("address", address)
    _check_word("quantity", count)
    buf = bytearray(5)
    encode_write_multiple_into(buf, 0, fc, address, count)
    return bytes(buf)


def encode_diagnostics_response(subfunction, data_word):
    _check_word("sub-function", subfunction)
    _check_word("data", data_word)
    buf = bytearray(5)
    encode_diagnostics_into(buf, 0, subfunction, data_word)
    return bytes(buf)


def encode_device_id_response(
    read_code, objects, conformity=CONFORMITY_BASIC_STREAM, more=0, next_id=0
):
    """2B/0E reply PDU; objects is a sequence of (object_id, bytes_value).

    more is 0x00 or 0xFF (more objects follow in another transaction starting at next_id).
    OversizeFrame-family error (FrameError) when the objects do not fit one 253-byte PDU: send
    fewer with more=0xFF.
    """
    _check_range("read device id code", read_code, READ_DEVICE_ID_BASIC, READ_DEVICE_ID_SPECIFIC)
    size = 7
    for _, value in objects:
        _check_range("object length", len(value), 0, 255)
        size += 2 + len(value)
    if size > MAX_PDU:
        raise FrameError(
            "device identification of %d bytes exceeds a %d-byte PDU" % (size, MAX_PDU)
        )
    buf = bytearray(size)
    buf[0] = FC_ENCAPSULATED
    buf[1] = MEI_READ_DEVICE_ID
    buf[2] = read_code
    buf[3] = conformity
    buf[4] = more
    buf[5] = next_id
    buf[6] = len(objects)
    p = 7
    for object_id, value in objects:
        buf[p] = object_id
        buf[p + 1] = len(value)
        buf[p + 2 : p + 2 + len(value)] = value
        p += 2 + len(value)
    return bytes(buf)


def encode_exception(fc, code):
    """Exception reply PDU: fc | 0x80 and the exception code (1-4, 6)."""
    return bytes(((fc | EXCEPTION_FLAG) & 0xFF, code))
