# Patrol checkpoint: the Wiegand 26/34 decoder against independently built vectors, and the reader
# ring (frames from D0/D1 pulses, drain by sequence number, overflow, bad frames) on a stepped clock.
from roles import checkpoint as C
from roles import wiegand as W

from firmware_scenarios.harness import Rig


def _frame_bits(data_bits):
    """Frame from a data bit string, parities built by counting characters (not by wiegand.py)."""
    n = len(data_bits) + 2
    half = n // 2
    first = data_bits[: half - 1]
    last = data_bits[half - 1:]
    lead = "1" if first.count("1") % 2 else "0"  # makes the first half even
    trail = "0" if last.count("1") % 2 else "1"  # makes the second half odd
    return lead + data_bits + trail


def _bin(value, width):
    out = ""
    for i in range(width - 1, -1, -1):
        out += "1" if value >> i & 1 else "0"
    return out


# (facility, card) for Wiegand 26, number for 34: frames built from strings above
VECTORS_26 = ((1, 1), (0, 0), (255, 65535), (123, 45678), (18, 1234))
VECTORS_34 = (0, 1, 0x12345678, 0xFFFFFFFF, 0x00ABCDEF)


def scenario_wiegand26_vectors_decode_and_encode():
    for facility, card in VECTORS_26:
        frame = _frame_bits(_bin(facility, 8) + _bin(card, 16))
        assert len(frame) == 26
        assert W.decode(int(frame, 2), 26) == (facility, card), frame
        assert W.encode((facility << 16) | card, 26) == int(frame, 2)
    assert _frame_bits(_bin(1, 8) + _bin(1, 16)) == "10000000100000000000000010"


def scenario_wiegand34_vectors_decode_and_encode():
    for number in VECTORS_34:
        frame = _frame_bits(_bin(number, 32))
        assert W.decode(int(frame, 2), 34) == (number >> 16, number & 0xFFFF), frame
        assert W.encode(number, 34) == int(frame, 2)


def scenario_wiegand_refuses_any_single_bit_error_and_wrong_lengths():
    for facility, card in VECTORS_26:
        frame = W.encode((facility << 16) | card, 26)
        for bit in range(26):
            assert W.decode(frame ^ (1 << bit), 26) is None, (facility, card, bit)
    frame = W.encode(0x12345678, 34)
    for bit in range(34):
        assert W.decode(frame ^ (1 << bit), 34) is None
    assert W.decode(frame, 26) is None and W.decode(1, 37) is None and W.decode(-1, 26) is None


def _send(rig, frame, nbits, pulse_ms=30):
    for i in range(nbits - 1, -1, -1):
        line = "d1" if frame >> i & 1 else "d0"
        rig.io.put(line, 1)
        rig.step(pulse_ms)
        rig.io.put(line, 0)
        rig.step(pulse_ms)
    rig.step(400)


def scenario_tag_read_goes_into_the_ring_and_drains_by_sequence():
    rig = Rig(C.Checkpoint)
    _send(rig, W.encode((18 << 16) | 1234, 26), 26)
    assert rig.reg("ring_count") == 1 and rig.reg("state") == C.READS_WAITING
    assert (rig.reg("entry_uid_hi"), rig.reg("entry_uid_lo"), rig.reg("entry_bits")) == (18, 1234, 26)
    seq = rig.reg("entry_seq")
    assert seq == 1 and rig.io.on("led")
    rig.step(1000)
    assert rig.reg("entry_age_ds") >= 10, "the entry's age grows until the host drains it"
    _send(rig, W.encode(0xABCDEF01, 34), 34)
    assert rig.reg("ring_count") == 2 and rig.reg("entry_seq") == seq, "oldest first"
    assert rig.command(seq + 1) == 3, "only the oldest entry's seq drops it"
    assert rig.command(seq) == 0
    assert rig.reg("ring_count") == 1
    assert (rig.reg("entry_uid_hi"), rig.reg("entry_uid_lo")) == (0xABCD, 0xEF01)
    assert rig.command(seq) == 3, "a repeated write drops nothing"
    assert rig.command(2) == 0 and rig.reg("ring_count") == 0 and rig.reg("entry_seq") == 0
    assert rig.reg("reads_total") == 2


def scenario_bad_frame_is_counted_and_refused():
    rig = Rig(C.Checkpoint)
    _send(rig, W.encode(5, 26) ^ 8, 26)
    assert rig.reg("ring_count") == 0 and rig.reg("bad_frames") == 1 and rig.reg("faults") & 4
    assert rig.io.on("beeper") and not rig.io.on("led")
    _send(rig, 0b101, 3)
    assert rig.reg("bad_frames") == 2


def scenario_full_ring_keeps_the_oldest_and_flags_overflow():
    rig = Rig(C.Checkpoint)
    for card in range(10):
        _send(rig, W.encode(card, 26), 26, pulse_ms=10)
    assert rig.reg("ring_count") == 8 and rig.reg("faults") & 2
    assert rig.reg("entry_uid_lo") == 0
    for _ in range(8):
        assert rig.command(rig.reg("entry_seq")) == 0
    rig.step(300)
    assert not rig.reg("faults") & 2 and not rig.role.busy()
