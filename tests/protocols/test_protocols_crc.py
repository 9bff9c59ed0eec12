"""CRC-16/MODBUS against crcmod, an independent implementation."""

import crcmod.predefined
from hypothesis import given, settings
from hypothesis import strategies as st

from protocols.crc import crc16, crc_ok

REFERENCE = crcmod.predefined.mkCrcFun("modbus")


@settings(max_examples=2000, deadline=None)
@given(st.binary(min_size=0, max_size=256))
def test_crc16_matches_crcmod_on_random_frames(frame):
    assert crc16(frame) == REFERENCE(frame)


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=4, max_size=256), st.data())
def test_crc16_of_a_window_matches_the_slice(frame, data):
    start = data.draw(st.integers(0, len(frame)))
    end = data.draw(st.integers(start, len(frame)))
    assert crc16(bytearray(frame), start, end) == REFERENCE(frame[start:end])
    assert crc16(memoryview(frame), start, end) == REFERENCE(frame[start:end])


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=2, max_size=254), st.integers(0, 253 * 8 - 1))
def test_crc_ok_accepts_the_frame_and_rejects_any_single_bit_flip(body, bit):
    frame = bytearray(body + REFERENCE(body).to_bytes(2, "little"))
    assert crc_ok(frame)
    bit %= len(frame) * 8
    frame[bit // 8] ^= 1 << (bit % 8)
    assert not crc_ok(frame)  # CRC-16 detects every single-bit error


def test_crc_ok_uses_only_the_given_length():
    frame = bytes.fromhex("0103006B00037417") + b"\xde\xad"
    assert crc_ok(frame, 8)
    assert not crc_ok(frame)
    assert not crc_ok(b"\x01\x02\x03")  # shorter than unit + fc + CRC
