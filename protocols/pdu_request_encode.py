# Master side: build request PDUs. Pure: runs on CPython and MicroPython.
from protocols.errors import BadCount, UnknownFunction
from protocols.pdu_codes import (
    COIL_OFF,
    COIL_ON,
    FC_DIAGNOSTICS,
    FC_ENCAPSULATED,
    FC_READ_COILS,
    FC_READ_INPUT_REGISTERS,
    FC_WRITE_MULTIPLE_COILS,
    FC_WRITE_MULTIPLE_REGISTERS,
    FC_WRITE_SINGLE_COIL,
    FC_WRITE_SINGLE_REGISTER,
    MAX_WRITE_BITS,
    MAX_WRITE_REGISTERS,
    MEI_READ_DEVICE_ID,
    READ_DEVICE_ID_BASIC,
    READ_DEVICE_ID_SPECIFIC,
    _check_function,
    _check_range,
    _check_word,
    _fc_two_words_into,
    _put16,
    _read_limit,
)


def _fc_two_words(fc, first, second):
    buf = bytearray(5)
    _fc_two_words_into(buf, 0, fc, first, second)
    return bytes(buf)


def _check_span(address, count):
    _check_word("address", address)
    if address + count > 0x10000:
        raise BadCount("address %d + quantity %d runs past 65535" % (address, count))


def read_request(fc, address, count):
    """Request PDU for 01/02/03/04."""
    if fc < FC_READ_COILS or fc > FC_READ_INPUT_REGISTERS:
        raise UnknownFunction(fc, "function 0x%02X is not a read (01-04)" % fc)
    _check_range("quantity", count, 1, _read_limit(fc))
    _check_span(address, count)
    return _fc_two_words(fc, address, count)


def write_single_request(fc, address, value):
    """Request PDU for 05 (value: True/1/0xFF00 = on, False/0 = off) or 06 (value 0..65535)."""
    _check_function(fc, FC_WRITE_SINGLE_COIL, FC_WRITE_SINGLE_REGISTER)
    _check_word("address", address)
    if fc == FC_WRITE_SINGLE_COIL:
        if value is True or value == 1 or value == COIL_ON:
            value = COIL_ON
        elif value is False or value == 0:
            value = COIL_OFF
        else:
            raise BadCount("coil value %r is not on (1/0xFF00) or off (0)" % (value,))
    else:
        _check_word("value", value)
    return _fc_two_words(fc, address, value)


def write_multiple_registers_request(address, values):
    """Request PDU for 10: values are ints 0..65535."""
    count = len(values)
    _check_range("quantity", count, 1, MAX_WRITE_REGISTERS)
    _check_span(address, count)
    buf = bytearray(6 + 2 * count)
    buf[0] = FC_WRITE_MULTIPLE_REGISTERS
    _put16(buf, 1, address)
    _put16(buf, 3, count)
    buf[5] = 2 * count
    p = 6
    for value in values:
        _check_word("register value", value)
        _put16(buf, p, value)
        p += 2
    return bytes(buf)


def write_multiple_coils_request(address, bits):
    """Request PDU for 0F: bits is a sequence of 0/1 (any truthy value is on)."""
    count = len(bits)
    _check_range("quantity", count, 1, MAX_WRITE_BITS)
    _check_span(address, count)
    nbytes = (count + 7) >> 3
    buf = bytearray(6 + nbytes)
    buf[0] = FC_WRITE_MULTIPLE_COILS
    _put16(buf, 1, address)
    _put16(buf, 3, count)
    buf[5] = nbytes
    for i in range(count):
        if bits[i]:
            buf[6 + (i >> 3)] |= 1 << (i & 7)
    return bytes(buf)


def diagnostics_request(subfunction, data_word=0):
    """Request PDU for 08: counters take data 0x0000; return-query echoes any data word."""
    _check_word("sub-function", subfunction)
    _check_word("data", data_word)
    return _fc_two_words(FC_DIAGNOSTICS, subfunction, data_word)


def device_id_request(read_code=READ_DEVICE_ID_BASIC, object_id=0):
    """Request PDU for 2B/0E: read code 1 basic, 2 regular, 3 extended, 4 one object."""
    _check_range("read device id code", read_code, READ_DEVICE_ID_BASIC, READ_DEVICE_ID_SPECIFIC)
    _check_range("object id", object_id, 0, 255)
    return bytes((FC_ENCAPSULATED, MEI_READ_DEVICE_ID, read_code, object_id))
