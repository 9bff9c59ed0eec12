"""PDU codec: master requests decode on the slave side, slave replies decode on the master side."""

from array import array

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from protocols import pdu, rtu
from protocols.errors import (
    EXC_ILLEGAL_FUNCTION,
    EXC_ILLEGAL_VALUE,
    BadCount,
    ExceptionResponse,
    FrameError,
    ModbusError,
    TruncatedFrame,
    UnknownFunction,
)

words = st.integers(0, 0xFFFF)
bits = st.integers(0, 1)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_read_requests_round_trip_at_every_legal_quantity(data):
    fc = data.draw(st.sampled_from((1, 2, 3, 4)))
    limit = 2000 if fc <= 2 else 125
    count = data.draw(st.integers(1, limit))
    address = data.draw(st.integers(0, 0x10000 - count))
    assert pdu.decode_request(pdu.read_request(fc, address, count)) == (fc, address, count, None)


@settings(max_examples=200, deadline=None)
@given(words, st.lists(words, min_size=1, max_size=123))
def test_write_registers_request_round_trips(address, values):
    address = min(address, 0x10000 - len(values))
    fc, got_address, count, data = pdu.decode_request(
        pdu.write_multiple_registers_request(address, values)
    )
    assert (fc, got_address, count) == (0x10, address, len(values))
    assert [pdu.payload_register(data, i) for i in range(count)] == values


@settings(max_examples=200, deadline=None)
@given(words, st.lists(bits, min_size=1, max_size=1968))
def test_write_coils_request_round_trips(address, values):
    address = min(address, 0x10000 - len(values))
    fc, got_address, count, data = pdu.decode_request(
        pdu.write_multiple_coils_request(address, values)
    )
    assert (fc, got_address, count) == (0x0F, address, len(values))
    assert [pdu.payload_bit(data, i) for i in range(count)] == values


def test_single_writes_diagnostics_and_device_id_requests_round_trip():
    assert pdu.decode_request(pdu.write_single_request(5, 7, True)) == (5, 7, 0xFF00, None)
    assert pdu.decode_request(pdu.write_single_request(5, 7, 0)) == (5, 7, 0, None)
    assert pdu.decode_request(pdu.write_single_request(6, 7, 65535)) == (6, 7, 65535, None)
    for sub in pdu.DIAG_SUBFUNCTIONS:
        assert pdu.decode_request(pdu.diagnostics_request(sub)) == (8, sub, 0, None)
    assert pdu.decode_request(pdu.diagnostics_request(0, 0x1234)) == (8, 0, 0x1234, None)
    assert pdu.decode_request(pdu.device_id_request(4, 2)) == (0x2B, 4, 2, None)


@pytest.mark.parametrize(
    "fc,ok,too_many",
    ((1, 2000, 2001), (2, 2000, 2001), (3, 125, 126), (4, 125, 126)),
)
def test_read_quantity_limits(fc, ok, too_many):
    pdu.decode_request(bytes((fc, 0, 0, ok >> 8, ok & 0xFF)))
    for bad in (0, too_many):
        with pytest.raises(BadCount) as raised:
            pdu.decode_request(bytes((fc, 0, 0, bad >> 8, bad & 0xFF)))
        assert raised.value.exception_code == EXC_ILLEGAL_VALUE
        with pytest.raises(BadCount):
            pdu.read_request(fc, 0, bad)


def test_write_quantity_limits():
    pdu.write_multiple_registers_request(0, [0] * 123)
    pdu.write_multiple_coils_request(0, [1] * 1968)
    with pytest.raises(BadCount):
        pdu.write_multiple_registers_request(0, [0] * 124)
    with pytest.raises(BadCount):
        pdu.write_multiple_coils_request(0, [1] * 1969)
    with pytest.raises(BadCount):
        pdu.write_multiple_registers_request(0, [])


def test_errors_carry_the_exception_code_a_slave_answers_with():
    with pytest.raises(UnknownFunction) as unknown:
        pdu.decode_request(b"\x07")
    assert unknown.value.function == 7 and unknown.value.exception_code == EXC_ILLEGAL_FUNCTION
    with pytest.raises(UnknownFunction) as sub:
        pdu.decode_request(bytes.fromhex("08 0004 0000"))  # force listen only: not supported
    assert sub.value.subfunction == 4 and sub.value.exception_code == EXC_ILLEGAL_FUNCTION
    with pytest.raises(TruncatedFrame) as short:
        pdu.decode_request(bytes.fromhex("06 0001"))
    assert short.value.exception_code == 0  # framing errors: discard, no reply


@settings(max_examples=200, deadline=None)
@given(st.sampled_from((3, 4)), st.lists(words, min_size=1, max_size=125))
def test_register_replies_round_trip_and_the_into_variant_matches(fc, values):
    body = pdu.encode_read_registers_response(fc, values)
    assert pdu.decode_response(fc, body) == values
    buf = bytearray(rtu.MAX_ADU)
    buf[0] = 9
    end = pdu.encode_read_registers_into(buf, 1, fc, array("H", [0] * 3 + values), 3, len(values))
    end = rtu.finish_adu(buf, end)
    assert bytes(buf[:end]) == rtu.build_adu(9, body)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from((1, 2)), st.lists(bits, min_size=1, max_size=2000))
def test_bit_replies_round_trip_padded_to_whole_bytes(fc, values):
    body = pdu.encode_read_bits_response(fc, values)
    decoded = pdu.decode_response(fc, body)
    assert len(decoded) == 8 * ((len(values) + 7) // 8)  # the caller trims to its quantity
    assert decoded[: len(values)] == values and not any(decoded[len(values) :])
    buf = bytearray(rtu.MAX_ADU)
    buf[:4] = b"\xff\xff\xff\xff"  # stale bytes must not leak into the packed bits
    end = pdu.encode_read_bits_into(buf, 1, fc, bytearray(values), 0, len(values))
    assert bytes(buf[1:end]) == body


def test_write_and_diagnostics_replies_round_trip():
    assert pdu.decode_response(5, pdu.encode_write_single_response(5, 3, 0xFF00)) == (3, 0xFF00)
    assert pdu.decode_response(16, pdu.encode_write_multiple_response(16, 100, 4)) == (100, 4)
    assert pdu.decode_response(8, pdu.encode_diagnostics_response(0x0E, 42)) == (0x0E, 42)
    buf = bytearray(8)
    assert pdu.encode_diagnostics_into(buf, 1, 0x0C, 5) == 6
    assert bytes(buf[1:6]) == pdu.encode_diagnostics_response(0x0C, 5)


def test_device_id_reply_with_more_to_follow():
    body = pdu.encode_device_id_response(
        2,
        ((3, b"https://example.org"), (4, b"CampusGuard gate")),
        conformity=pdu.CONFORMITY_BASIC_STREAM_AND_INDIVIDUAL,
        more=0xFF,
        next_id=5,
    )
    got = pdu.decode_response(0x2B, body)
    assert got == {
        3: b"https://example.org",
        4: b"CampusGuard gate",
        "read_code": 2,
        "conformity": 0x81,
        "more": True,
        "next_id": 5,
    }
    with pytest.raises(FrameError):  # 3 x 100 bytes cannot fit one PDU: send fewer, more=0xFF
        pdu.encode_device_id_response(1, ((0, bytes(100)), (1, bytes(100)), (2, bytes(100))))


@pytest.mark.parametrize("code", (1, 2, 3, 4, 6))
def test_exception_replies_raise_exception_response(code):
    with pytest.raises(ExceptionResponse) as raised:
        pdu.decode_response(0x10, pdu.encode_exception(0x10, code))
    assert (raised.value.function, raised.value.code) == (0x10, code)
    assert isinstance(raised.value, ModbusError)


def test_malformed_replies_raise_typed_errors():
    with pytest.raises(FrameError):
        pdu.decode_response(3, pdu.encode_read_registers_response(4, [1]))  # answers another fc
    with pytest.raises(TruncatedFrame):
        pdu.decode_response(0x2B, bytes.fromhex("2B 0E 01 01 00 00 01 00 05 41"))  # object cut
    with pytest.raises(BadCount):
        pdu.decode_response(1, b"\x01\x00")  # a bit reply with no bytes
    with pytest.raises(UnknownFunction):
        pdu.decode_response(0x11, b"\x11\x00")  # report server id: not decoded here
