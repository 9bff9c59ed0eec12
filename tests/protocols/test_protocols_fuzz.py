"""Random bytes never make the codec raise anything but its own typed errors."""

from hypothesis import given, settings
from hypothesis import strategies as st

from protocols import pdu, rtu
from protocols.errors import ModbusError

# the functions we decode, their exception forms, and a few we do not
FCS = st.sampled_from(pdu.FUNCTIONS + (0x07, 0x11, 0x17, 0x41, 0x83, 0xFF, 0))


def _only_modbus_errors(call, *args):
    try:
        call(*args)
    except ModbusError:
        pass


@settings(max_examples=1000, deadline=None)
@given(st.binary(max_size=300))
def test_random_frames_raise_only_modbus_errors(frame):
    _only_modbus_errors(rtu.split_adu, frame)
    for n in (0, 1, 2, 3, 7, len(frame)):
        _only_modbus_errors(rtu.request_length, frame, min(n, len(frame)))
        _only_modbus_errors(rtu.response_length, frame, min(n, len(frame)))


@settings(max_examples=1000, deadline=None)
@given(FCS, st.binary(max_size=rtu.MAX_PDU - 1), FCS)
def test_random_pdus_with_a_valid_crc_raise_only_modbus_errors(fc, rest, request_fc):
    # a valid CRC gets random bytes past the framing layer into the PDU decoders
    adu = rtu.build_adu(1, bytes((fc,)) + rest)
    _, body = rtu.split_adu(adu)
    _only_modbus_errors(pdu.decode_request, body)
    _only_modbus_errors(pdu.decode_response, request_fc, body)
    _only_modbus_errors(pdu.decode_response, fc, body)


VALID_PDUS = (
    pdu.read_request(3, 0x6B, 3),
    pdu.read_request(1, 0x13, 0x25),
    pdu.write_single_request(5, 0xAC, 1),
    pdu.write_multiple_coils_request(0x13, (1, 0, 1, 1, 0, 0, 1, 1, 1, 0)),
    pdu.write_multiple_registers_request(1, (10, 258)),
    pdu.diagnostics_request(0, 0xA537),
    pdu.device_id_request(1, 0),
    pdu.encode_read_registers_response(3, (1, 2, 3)),
    pdu.encode_read_bits_response(2, (1, 0, 1)),
    pdu.encode_device_id_response(1, ((0, b"CampusGuard"), (1, b"CG-GATE"), (2, b"1.0"))),
    pdu.encode_exception(3, 2),
)


@settings(max_examples=1000, deadline=None)
@given(st.sampled_from(VALID_PDUS), st.integers(0, 300), st.integers(0, 255), st.integers(-3, 3))
def test_mutated_valid_pdus_raise_only_modbus_errors(body, position, value, resize):
    # near-valid input reaches deeper into the decoders than random bytes do
    mutated = bytearray(body)
    mutated[position % len(mutated)] = value
    if resize < 0:
        mutated = mutated[:resize]
    else:
        mutated += bytes(resize)
    for request_fc in (body[0] & 0x7F, mutated[0] if mutated else 0):
        _only_modbus_errors(pdu.decode_response, request_fc, bytes(mutated))
    _only_modbus_errors(pdu.decode_request, bytes(mutated))
    _only_modbus_errors(pdu.decode_request, memoryview(bytes(mutated)))
