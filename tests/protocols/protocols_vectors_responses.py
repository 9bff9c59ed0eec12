# Golden response frames (see protocols_golden_vectors.py for sources).
from protocols_vectors_checks import h

from protocols import pdu

_COMPANY = b"Company identification"
_PRODUCT = b"Product code XX"
_DEVICE_ID_ADU = (
    "01 2B 0E 01 01 00 00 03 00 16 436F6D70616E79206964656E74696669636174696F6E"
    " 01 0F 50726F6475637420636F6465205858 02 05 56322E3131 FC21"
)


def bits_of(data, count):
    return [(data[i >> 3] >> (i & 7)) & 1 for i in range(count)]


# (name, request fc, ADU hex, decode_response result, encoder of the same PDU)
# An expected ("exception", code) means decode_response raises ExceptionResponse with that code.
RESPONSES = (
    (
        "ex FC03 reply",
        3,
        "11 03 06 AE41 5652 4340 49AD",
        [0xAE41, 0x5652, 0x4340],
        lambda: pdu.encode_read_registers_response(3, (0xAE41, 0x5652, 0x4340)),
    ),
    (
        "spec FC01 reply",
        1,
        "01 01 03 CD 6B 05 4282",
        [1, 0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0],
        lambda: pdu.encode_read_bits_response(
            1, (1, 0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1)
        ),
    ),
    (
        "ex FC01 reply",
        1,
        "11 01 05 CD6BB20E1B 45E6",
        None,
        lambda: pdu.encode_read_bits_response(1, bits_of(h("CD6BB20E1B"), 37)),
    ),
    (
        "ex FC02 reply",
        2,
        "11 02 03 ACDB35 2018",
        None,
        lambda: pdu.encode_read_bits_response(2, bits_of(h("ACDB35"), 22)),
    ),
    (
        "ex FC04 reply",
        4,
        "11 04 02 000A F8F4",
        [10],
        lambda: pdu.encode_read_registers_response(4, (10,)),
    ),
    (
        "spec FC05 reply",
        5,
        "11 05 00AC FF00 4E8B",
        (0xAC, 0xFF00),
        lambda: pdu.encode_write_single_response(5, 0xAC, 0xFF00),
    ),
    (
        "spec FC06 reply",
        6,
        "11 06 0001 0003 9A9B",
        (1, 3),
        lambda: pdu.encode_write_single_response(6, 1, 3),
    ),
    (
        "spec FC0F reply",
        0x0F,
        "11 0F 0013 000A 2699",
        (0x13, 10),
        lambda: pdu.encode_write_multiple_response(0x0F, 0x13, 10),
    ),
    (
        "spec FC10 reply",
        0x10,
        "11 10 0001 0002 1298",
        (1, 2),
        lambda: pdu.encode_write_multiple_response(0x10, 1, 2),
    ),
    (
        "spec FC08 echo",
        8,
        "01 08 0000 A537 DA8D",
        (0, 0xA537),
        lambda: pdu.encode_diagnostics_response(0, 0xA537),
    ),
    (
        "FC08 counter 17",
        8,
        "01 08 000B 0011 51C5",
        (0x0B, 17),
        lambda: pdu.encode_diagnostics_response(pdu.DIAG_BUS_MESSAGE_COUNT, 17),
    ),
    (
        "spec FC2B/0E basic",
        0x2B,
        _DEVICE_ID_ADU,
        {
            0: _COMPANY,
            1: _PRODUCT,
            2: b"V2.11",
            "read_code": 1,
            "conformity": 1,
            "more": False,
            "next_id": 0,
        },
        lambda: pdu.encode_device_id_response(1, ((0, _COMPANY), (1, _PRODUCT), (2, b"V2.11"))),
    ),
    (
        "ex exception 02 on FC01",
        1,
        "0A 81 02 B053",
        ("exception", 2),
        lambda: pdu.encode_exception(1, 2),
    ),
    (
        "exception 01 on FC03",
        3,
        "01 83 01 80F0",
        ("exception", 1),
        lambda: pdu.encode_exception(3, 1),
    ),
    (
        "exception 02 on FC03",
        3,
        "01 83 02 C0F1",
        ("exception", 2),
        lambda: pdu.encode_exception(3, 2),
    ),
    (
        "exception 03 on FC03",
        3,
        "01 83 03 0131",
        ("exception", 3),
        lambda: pdu.encode_exception(3, 3),
    ),
    (
        "exception 04 on FC03",
        3,
        "01 83 04 40F3",
        ("exception", 4),
        lambda: pdu.encode_exception(3, 4),
    ),
    (
        "exception 06 on FC03",
        3,
        "01 83 06 C132",
        ("exception", 6),
        lambda: pdu.encode_exception(3, 6),
    ),
)
