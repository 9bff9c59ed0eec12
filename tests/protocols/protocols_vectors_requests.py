# Golden request frames (see protocols_golden_vectors.py for sources).
from protocols_vectors_checks import h

from protocols import pdu

# (name, ADU hex, unit, decode_request result (payload as bytes), builder of the same PDU)
REQUESTS = (
    (
        "spec FC03 read holding",
        "01 03 006B 0003 7417",
        1,
        (3, 0x6B, 3, None),
        lambda: pdu.read_request(3, 0x6B, 3),
    ),
    (
        "ex FC03 unit 17",
        "11 03 006B 0003 7687",
        17,
        (3, 0x6B, 3, None),
        lambda: pdu.read_request(3, 0x6B, 3),
    ),
    (
        "ex FC03 ten from 0",
        "01 03 0000 000A C5CD",
        1,
        (3, 0, 10, None),
        lambda: pdu.read_request(3, 0, 10),
    ),
    (
        "spec FC01 read coils",
        "01 01 0013 0013 8C02",
        1,
        (1, 0x13, 0x13, None),
        lambda: pdu.read_request(1, 0x13, 0x13),
    ),
    (
        "ex FC01 read coils",
        "11 01 0013 0025 0E84",
        17,
        (1, 0x13, 0x25, None),
        lambda: pdu.read_request(1, 0x13, 0x25),
    ),
    (
        "ex FC02 read inputs",
        "11 02 00C4 0016 BAA9",
        17,
        (2, 0xC4, 0x16, None),
        lambda: pdu.read_request(2, 0xC4, 0x16),
    ),
    (
        "ex FC04 read input registers",
        "11 04 0008 0001 B298",
        17,
        (4, 8, 1, None),
        lambda: pdu.read_request(4, 8, 1),
    ),
    (
        "spec FC05 coil on",
        "11 05 00AC FF00 4E8B",
        17,
        (5, 0xAC, 0xFF00, None),
        lambda: pdu.write_single_request(5, 0xAC, 1),
    ),
    (
        "spec FC06 write register",
        "11 06 0001 0003 9A9B",
        17,
        (6, 1, 3, None),
        lambda: pdu.write_single_request(6, 1, 3),
    ),
    (
        "spec FC0F write coils",
        "11 0F 0013 000A 02 CD01 BF0B",
        17,
        (0x0F, 0x13, 10, h("CD01")),
        lambda: pdu.write_multiple_coils_request(0x13, (1, 0, 1, 1, 0, 0, 1, 1, 1, 0)),
    ),
    (
        "spec FC10 write registers",
        "11 10 0001 0002 04 000A 0102 C6F0",
        17,
        (0x10, 1, 2, h("000A 0102")),
        lambda: pdu.write_multiple_registers_request(1, (0x0A, 0x102)),
    ),
    (
        "spec FC08 return query data",
        "01 08 0000 A537 DA8D",
        1,
        (8, 0, 0xA537, None),
        lambda: pdu.diagnostics_request(pdu.DIAG_RETURN_QUERY, 0xA537),
    ),
    (
        "FC08 clear counters",
        "01 08 000A 0000 C009",
        1,
        (8, 0x0A, 0, None),
        lambda: pdu.diagnostics_request(pdu.DIAG_CLEAR_COUNTERS, 0),
    ),
    (
        "FC08 bus message count",
        "01 08 000B 0000 91C9",
        1,
        (8, 0x0B, 0, None),
        lambda: pdu.diagnostics_request(pdu.DIAG_BUS_MESSAGE_COUNT),
    ),
    (
        "spec FC2B/0E read device id",
        "01 2B 0E 01 00 7077",
        1,
        (0x2B, 1, 0, None),
        lambda: pdu.device_id_request(1, 0),
    ),
)
