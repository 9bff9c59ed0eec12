# Slave side: decode and validate a request PDU (Modbus Application Protocol V1.1b3 §6).
# Pure: runs on CPython and MicroPython.
from protocols.errors import BadCount, TruncatedFrame, UnknownFunction
from protocols.pdu_codes import (
    COIL_OFF,
    COIL_ON,
    DIAG_RETURN_QUERY,
    DIAG_SUBFUNCTIONS,
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
    _check_range,
    _exact,
    _read_limit,
    _u16,
)


def decode_request(pdu):
    """(fc, a, b, payload) of a request PDU, validated per the spec.

    01-04: (fc, address, count, None); 05/06: (fc, address, value, None); 0F/10: (fc, address,
    count, data) with data a slice of pdu; 08: (fc, subfunction, data_word, None); 2B: (fc,
    read_device_id_code, object_id, None). Raises UnknownFunction (exception 01), BadCount
    (exception 03), TruncatedFrame/FrameError (wrong PDU length). Whether the addresses exist is
    the slave's own check (exception 02).
    """
    n = len(pdu)
    if n < 1:
        raise TruncatedFrame("empty PDU: no function code")
    fc = pdu[0]
    if FC_READ_COILS <= fc <= FC_READ_INPUT_REGISTERS:
        _exact(fc, n, 5)
        count = _u16(pdu, 3)
        _check_range("quantity", count, 1, _read_limit(fc))
        return fc, _u16(pdu, 1), count, None
    if fc == FC_WRITE_SINGLE_COIL or fc == FC_WRITE_SINGLE_REGISTER:
        _exact(fc, n, 5)
        value = _u16(pdu, 3)
        if fc == FC_WRITE_SINGLE_COIL and value != COIL_ON and value != COIL_OFF:
            raise BadCount("coil value 0x%04X is neither 0xFF00 (on) nor 0x0000 (off)" % value)
        return fc, _u16(pdu, 1), value, None
    if fc == FC_WRITE_MULTIPLE_COILS or fc == FC_WRITE_MULTIPLE_REGISTERS:
        if n < 6:
            raise TruncatedFrame("function 0x%02X PDU has %d bytes, needs at least 6" % (fc, n))
        count = _u16(pdu, 3)
        if fc == FC_WRITE_MULTIPLE_COILS:
            _check_range("quantity", count, 1, MAX_WRITE_BITS)
            want = (count + 7) >> 3
        else:
            _check_range("quantity", count, 1, MAX_WRITE_REGISTERS)
            want = 2 * count
        if pdu[5] != want:
            raise BadCount("byte count %d does not match quantity %d" % (pdu[5], count))
        _exact(fc, n, 6 + want)
        return fc, _u16(pdu, 1), count, pdu[6:]
    if fc == FC_DIAGNOSTICS:
        _exact(fc, n, 5)
        sub = _u16(pdu, 1)
        data = _u16(pdu, 3)
        if sub not in DIAG_SUBFUNCTIONS:
            err = UnknownFunction(fc, "diagnostics sub-function 0x%04X is not supported" % sub)
            err.subfunction = sub
            raise err
        if sub != DIAG_RETURN_QUERY and data != 0:
            raise BadCount("diagnostics sub-function 0x%02X needs data 0x0000" % sub)
        return fc, sub, data, None
    if fc == FC_ENCAPSULATED:
        if n < 2:
            raise TruncatedFrame("function 0x2B PDU has no MEI type")
        if pdu[1] != MEI_READ_DEVICE_ID:
            raise UnknownFunction(fc, "MEI type 0x%02X is not supported" % pdu[1])
        _exact(fc, n, 4)
        _check_range("read device id code", pdu[2], READ_DEVICE_ID_BASIC, READ_DEVICE_ID_SPECIFIC)
        return fc, pdu[2], pdu[3], None
    raise UnknownFunction(fc)
