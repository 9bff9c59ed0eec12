"""RTU framing: building, splitting, expected frame lengths and the character timings."""

import crcmod.predefined
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from protocols import pdu, rtu
from protocols.errors import CrcError, OversizeFrame, TruncatedFrame, UnknownFunction

REFERENCE = crcmod.predefined.mkCrcFun("modbus")

units = st.integers(0, 247)
addresses = st.integers(0, 0xFFFF - 2000)
words = st.integers(0, 0xFFFF)


@settings(max_examples=200, deadline=None)
@given(units, st.binary(min_size=1, max_size=rtu.MAX_PDU))
def test_build_then_split_gives_back_unit_and_pdu(unit, body):
    adu = rtu.build_adu(unit, body)
    assert len(adu) == len(body) + 3
    assert adu[-2:] == REFERENCE(adu[:-2]).to_bytes(2, "little")  # CRC low byte first
    got_unit, got_pdu = rtu.split_adu(adu)
    assert (got_unit, bytes(got_pdu)) == (unit, body)


def test_split_reads_a_frame_inside_a_larger_receive_buffer_without_copying():
    buf = bytearray(rtu.MAX_ADU)
    frame = bytes.fromhex("0103006B00037417")
    buf[: len(frame)] = frame
    buf[len(frame) :] = b"\xaa" * (len(buf) - len(frame))  # stale bytes from an older frame
    unit, body = rtu.split_adu(buf, len(frame))
    assert unit == 1 and bytes(body) == frame[1:-2]
    buf[2] = 0x99  # the PDU is a view into the receive buffer, not a copy
    assert body[1] == 0x99


def test_finish_adu_appends_the_crc_in_place_and_touches_nothing_else():
    buf = bytearray(b"\xee" * 16)
    buf[:6] = bytes.fromhex("0103006B0003")
    end = rtu.finish_adu(buf, 6)
    assert end == 8
    assert bytes(buf[:8]) == bytes.fromhex("0103006B00037417")
    assert buf[8:] == b"\xee" * 8


def test_broadcast_frames_are_ordinary_frames_to_unit_0():
    adu = rtu.build_adu(rtu.BROADCAST, pdu.write_single_request(6, 12, 1))
    assert rtu.split_adu(adu)[0] == 0


def test_frame_limits():
    rtu.split_adu(rtu.build_adu(1, bytes([3]) + bytes(rtu.MAX_PDU - 1)))  # exactly 256 bytes: fine
    with pytest.raises(OversizeFrame):
        rtu.build_adu(1, bytes(rtu.MAX_PDU + 1))
    with pytest.raises(OversizeFrame):
        rtu.split_adu(bytes(257))
    with pytest.raises(OversizeFrame):
        rtu.finish_adu(bytearray(300), 255)
    for short in (b"", b"\x01", b"\x01\x03", b"\x01\x03\x00"):
        with pytest.raises(TruncatedFrame):
            rtu.split_adu(short)
    with pytest.raises(CrcError, match="CRC mismatch"):
        rtu.split_adu(bytes.fromhex("0103006B00037418"))
    with pytest.raises(ValueError, match="unit 256"):
        rtu.build_adu(256, b"\x03")


def _announced_after(length_of, adu):
    """The first (bytes seen, length announced) as a receiver feeds the frame byte by byte."""
    for n in range(len(adu) + 1):
        total = length_of(adu, n)
        if total:
            return n, total
    return None


requests = st.one_of(
    st.builds(
        lambda fc, a, c: pdu.read_request(fc, a, c),
        st.sampled_from((3, 4)),
        addresses,
        st.integers(1, 125),
    ),
    st.builds(
        lambda fc, a, c: pdu.read_request(fc, a, c),
        st.sampled_from((1, 2)),
        addresses,
        st.integers(1, 2000),
    ),
    st.builds(lambda a, v: pdu.write_single_request(6, a, v), words, words),
    st.builds(lambda a, v: pdu.write_single_request(5, a, v), words, st.booleans()),
    st.builds(
        pdu.write_multiple_registers_request, addresses, st.lists(words, min_size=1, max_size=123)
    ),
    st.builds(
        pdu.write_multiple_coils_request,
        addresses,
        st.lists(st.integers(0, 1), min_size=1, max_size=1968),
    ),
    st.builds(pdu.diagnostics_request, st.sampled_from(pdu.DIAG_SUBFUNCTIONS), st.just(0)),
    st.builds(pdu.device_id_request, st.integers(1, 4), st.integers(0, 255)),
)


@settings(max_examples=200, deadline=None)
@given(units, requests)
def test_request_length_is_known_by_the_last_byte_and_always_right(unit, body):
    adu = rtu.build_adu(unit, body)
    seen, total = _announced_after(rtu.request_length, adu)
    assert total == len(adu)
    assert seen <= 7  # known from the header: a slave never waits for the t3.5 silence


device_objects = st.lists(
    st.tuples(st.integers(0, 255), st.binary(max_size=40)), max_size=5, unique_by=lambda o: o[0]
)
responses = st.one_of(
    st.builds(
        pdu.encode_read_registers_response,
        st.sampled_from((3, 4)),
        st.lists(words, min_size=1, max_size=125),
    ),
    st.builds(
        pdu.encode_read_bits_response,
        st.sampled_from((1, 2)),
        st.lists(st.integers(0, 1), min_size=1, max_size=2000),
    ),
    st.builds(pdu.encode_write_single_response, st.just(6), words, words),
    st.builds(pdu.encode_write_multiple_response, st.sampled_from((0x0F, 0x10)), words, words),
    st.builds(pdu.encode_diagnostics_response, words, words),
    st.builds(
        pdu.encode_exception, st.sampled_from(pdu.FUNCTIONS), st.sampled_from((1, 2, 3, 4, 6))
    ),
    st.builds(pdu.encode_device_id_response, st.integers(1, 4), device_objects),
)


@settings(max_examples=200, deadline=None)
@given(units, responses)
def test_response_length_is_known_by_the_last_byte_and_always_right(unit, body):
    adu = rtu.build_adu(unit, body)
    _, total = _announced_after(rtu.response_length, adu)
    assert total == len(adu)


def test_lengths_need_the_function_code_and_reject_unknown_ones():
    assert rtu.request_length(b"\x01", 1) == 0
    assert rtu.response_length(b"\x01\x03", 2) == 0  # byte count not yet in
    assert rtu.response_length(b"\x01\x83", 2) == 5  # any exception response
    with pytest.raises(UnknownFunction) as raised:
        rtu.request_length(b"\x01\x64", 2)
    assert raised.value.function == 0x64
    with pytest.raises(OversizeFrame):
        rtu.request_length(bytes.fromhex("01100000007BFF"), 7)  # 9 + 255 bytes > 256


@pytest.mark.parametrize("baud", (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200))
def test_timings_follow_the_serial_line_spec(baud):
    char = rtu.char_time_us(baud)
    assert char == -(-11_000_000 // baud)
    if baud > 19200:  # fixed values above 19200 baud (V1.02 §2.5.1.1)
        assert (rtu.t15_us(baud), rtu.t35_us(baud)) == (750, 1750)
    else:
        assert rtu.t15_us(baud) == -(-16_500_000 // baud)
        assert rtu.t35_us(baud) == -(-38_500_000 // baud)
    assert rtu.frame_time_us(256, baud) == -(-256 * 11_000_000 // baud)
    assert rtu.t15_us(baud) < rtu.t35_us(baud)
