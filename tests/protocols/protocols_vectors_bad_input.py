# Bad input that must raise the codec's own typed errors.
from protocols_vectors_checks import h

from protocols import pdu, rtu
from protocols.errors import (
    BadCount,
    CrcError,
    ExceptionResponse,
    FrameError,
    OversizeFrame,
    TruncatedFrame,
    UnknownFunction,
)


def pdu_of(adu):
    return bytes(rtu.split_adu(h(adu))[1])


# (name, callable, expected error class): bad input must raise the codec's own typed errors
_FC03 = "01 03 006B 0003 7417"
BAD_INPUT = (
    ("wrong CRC", lambda: rtu.split_adu(h("01 03 006B 0003 7418")), CrcError),
    ("flipped data bit", lambda: rtu.split_adu(h("01 03 006A 0003 7417")), CrcError),
    ("truncated frame", lambda: rtu.split_adu(h("01 03 00")), TruncatedFrame),
    ("truncated PDU with good CRC", lambda: pdu.decode_request(h("03 00 6B 00")), TruncatedFrame),
    ("oversize frame", lambda: rtu.split_adu(bytes(257)), OversizeFrame),
    ("oversize PDU to build", lambda: rtu.build_adu(1, bytes(254)), OversizeFrame),
    ("unknown function", lambda: pdu.decode_request(h("41 0000 0001")), UnknownFunction),
    ("exception fc as request", lambda: pdu.decode_request(h("83 0000 0001")), UnknownFunction),
    ("read 0 registers", lambda: pdu.decode_request(h("03 0000 0000")), BadCount),
    ("read 126 registers", lambda: pdu.decode_request(h("03 0000 007E")), BadCount),
    ("read 2001 coils", lambda: pdu.decode_request(h("01 0000 07D1")), BadCount),
    (
        "write 124 registers",
        lambda: pdu.decode_request(h("10 0000 007C F8") + bytes(248)),
        BadCount,
    ),
    ("write 1969 coils", lambda: pdu.decode_request(h("0F 0000 07B1 F7") + bytes(247)), BadCount),
    (
        "FC10 byte count mismatch",
        lambda: pdu.decode_request(h("10 0001 0002 03 000A 01")),
        BadCount,
    ),
    ("FC0F byte count mismatch", lambda: pdu.decode_request(h("0F 0013 000A 01 CD")), BadCount),
    ("FC05 value 0x1234", lambda: pdu.decode_request(h("05 00AC 1234")), BadCount),
    ("FC08 unknown sub-function", lambda: pdu.decode_request(h("08 0042 0000")), UnknownFunction),
    ("FC08 counter with data", lambda: pdu.decode_request(h("08 000B 0001")), BadCount),
    ("FC2B wrong MEI type", lambda: pdu.decode_request(h("2B 0D 01 00")), UnknownFunction),
    ("FC2B read code 5", lambda: pdu.decode_request(h("2B 0E 05 00")), BadCount),
    ("FC03 PDU too long", lambda: pdu.decode_request(h("03 0000 0001 00")), FrameError),
    ("reply for another fc", lambda: pdu.decode_response(4, pdu_of(_FC03)), FrameError),
    ("reply byte count odd", lambda: pdu.decode_response(3, h("03 03 0000 00")), BadCount),
    ("reply shorter than count", lambda: pdu.decode_response(3, h("03 04 0000")), TruncatedFrame),
    ("exception reply", lambda: pdu.decode_response(3, h("83 02")), ExceptionResponse),
    ("request_length unknown fc", lambda: rtu.request_length(h("01 41"), 2), UnknownFunction),
    ("response_length MEI 0x0D", lambda: rtu.response_length(h("01 2B 0D"), 3), UnknownFunction),
    ("response_length oversize", lambda: rtu.response_length(h("01 03 FF"), 3), OversizeFrame),
    ("read request 126 registers", lambda: pdu.read_request(3, 0, 126), BadCount),
    ("read request past 65535", lambda: pdu.read_request(3, 0xFFFF, 2), BadCount),
    ("coil request value 2", lambda: pdu.write_single_request(5, 0, 2), BadCount),
    ("register value 65536", lambda: pdu.write_single_request(6, 0, 0x10000), BadCount),
)
