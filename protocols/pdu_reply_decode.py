# Master side: decode reply PDUs. Pure: runs on CPython and MicroPython.
from protocols.errors import (
    BadCount,
    ExceptionResponse,
    FrameError,
    TruncatedFrame,
    UnknownFunction,
)
from protocols.pdu_codes import (
    COIL_OFF,
    COIL_ON,
    EXCEPTION_FLAG,
    FC_ENCAPSULATED,
    FC_READ_DISCRETE_INPUTS,
    FC_READ_INPUT_REGISTERS,
    FC_WRITE_SINGLE_COIL,
    FUNCTIONS,
    MAX_READ_BITS,
    MAX_READ_REGISTERS,
    MEI_READ_DEVICE_ID,
    _check_range,
    _exact,
    _u16,
)


def decode_response(request_fc, pdu):
    """The decoded reply to a request with function request_fc.

    01/02 -> list of 0/1, every bit of the returned bytes (the caller trims to its quantity);
    03/04 -> list of ints; 05/06 -> (address, value); 0F/10 -> (address, count);
    08 -> (subfunction, data_word);
    2B -> dict {object_id: bytes, "read_code": int, "conformity": int, "more": bool,
                "next_id": int}.
    Raises ExceptionResponse for fc | 0x80, FrameError when the reply answers another function or
    its length is wrong (TruncatedFrame when short), BadCount for an impossible byte count,
    UnknownFunction when request_fc is not one this codec decodes.
    """
    n = len(pdu)
    if n < 1:
        raise TruncatedFrame("empty response PDU")
    fc = pdu[0]
    if fc == (request_fc | EXCEPTION_FLAG) & 0xFF and fc & EXCEPTION_FLAG:
        _exact(fc, n, 2)
        raise ExceptionResponse(request_fc, pdu[1])
    if request_fc not in FUNCTIONS:
        raise UnknownFunction(request_fc)
    if fc != request_fc:
        raise FrameError(
            "response function 0x%02X does not answer request 0x%02X" % (fc, request_fc)
        )
    if fc <= FC_READ_INPUT_REGISTERS:
        if n < 2:
            raise TruncatedFrame("function 0x%02X response has no byte count" % fc)
        nbytes = pdu[1]
        if fc <= FC_READ_DISCRETE_INPUTS:
            _check_range("byte count", nbytes, 1, (MAX_READ_BITS + 7) >> 3)
        else:
            _check_range("byte count", nbytes, 2, 2 * MAX_READ_REGISTERS)
            if nbytes & 1:
                raise BadCount("register byte count %d is odd" % nbytes)
        _exact(fc, n, 2 + nbytes)
        if fc <= FC_READ_DISCRETE_INPUTS:
            return [(pdu[2 + (i >> 3)] >> (i & 7)) & 1 for i in range(8 * nbytes)]
        return [_u16(pdu, 2 + 2 * i) for i in range(nbytes >> 1)]
    if fc == FC_ENCAPSULATED:
        return _decode_device_id(pdu, n)
    _exact(fc, n, 5)
    first = _u16(pdu, 1)
    second = _u16(pdu, 3)
    if fc == FC_WRITE_SINGLE_COIL and second != COIL_ON and second != COIL_OFF:
        raise BadCount("coil value 0x%04X is neither 0xFF00 nor 0x0000" % second)
    return first, second


def _decode_device_id(pdu, n):
    if n < 7:
        raise TruncatedFrame("device identification response has %d bytes, needs 7" % n)
    if pdu[1] != MEI_READ_DEVICE_ID:
        raise UnknownFunction(FC_ENCAPSULATED, "MEI type 0x%02X is not supported" % pdu[1])
    more = pdu[4]
    if more != 0 and more != 0xFF:
        raise BadCount("more-follows 0x%02X is neither 0x00 nor 0xFF" % more)
    out = {"read_code": pdu[2], "conformity": pdu[3], "more": more == 0xFF, "next_id": pdu[5]}
    p = 7
    for _ in range(pdu[6]):
        if p + 2 > n or p + 2 + pdu[p + 1] > n:
            raise TruncatedFrame("device identification object at byte %d runs past the PDU" % p)
        size = pdu[p + 1]
        out[pdu[p]] = bytes(pdu[p + 2 : p + 2 + size])
        p += 2 + size
    if p != n:
        raise FrameError("device identification response has %d bytes after its objects" % (n - p))
    return out
