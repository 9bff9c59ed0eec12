# Issue 11 item 7 (firmware side): comm loss means "no valid request from the host", not "no
# heartbeat write". A polled device never declares comm_loss; silence, frames for other units and
# frames with a bad CRC do not count as contact; broadcasts (only the master sends them) do.
import struct
import time

import pytest
from firmware_process import read_reply, transact

from protocols import registers as R
from protocols import rtu

pytestmark = pytest.mark.micropython

A_FAULTS = R.address(R.COMMON, "fault_flags")
A_HEARTBEAT = R.address(R.COMMON, "heartbeat")
_COMM_LOSS = 1 << 2
_TIMEOUT_S = 1  # comm_loss_timeout_s of the device under test
_SPAN_S = 2.0 * _TIMEOUT_S  # each phase lasts well past the timeout
_EVERY_S = 0.25


def _faults(sock):
    reply = transact(sock, 1, struct.pack(">BHH", 3, A_FAULTS, 1))
    assert len(reply) == 7 and reply[1] == 3, reply.hex()
    return struct.unpack(">H", reply[3:5])[0]


def _for_a_while(send):
    end = time.monotonic() + _SPAN_S
    while time.monotonic() < end:
        send()
        time.sleep(_EVERY_S)


@pytest.mark.slow  # five phases of 2 s each: comm_loss_timeout_s is whole seconds, 1 at least
@pytest.mark.parametrize("role", ("smoke",))
def test_polls_without_heartbeats_keep_comm_loss_clear_and_silence_sets_it(firmware, role):
    fw = firmware(role, comm_loss_timeout_s=_TIMEOUT_S)
    sock = fw.raw()
    assert not _faults(sock) & _COMM_LOSS

    # Polled, never a heartbeat write: every reply shows comm_loss clear.
    seen = []
    _for_a_while(lambda: seen.append(_faults(sock)))
    assert len(seen) >= 5 and not any(f & _COMM_LOSS for f in seen), seen

    # Broadcasts come from the master too: they keep contact.
    def broadcast():
        sock.sendall(rtu.build_adu(rtu.BROADCAST, struct.pack(">BHH", 6, A_HEARTBEAT, 7)))
        assert read_reply(sock, 0.05) == b""

    _for_a_while(broadcast)
    assert not _faults(sock) & _COMM_LOSS, "broadcasts from the host must keep contact"

    # Requests for another unit prove nothing about us. The first reply after the loss still
    # shows comm_loss; that request then restores contact.
    def other_unit():
        sock.sendall(rtu.build_adu(9, struct.pack(">BHH", 3, 0, 1)))

    _for_a_while(other_unit)
    assert _faults(sock) & _COMM_LOSS, "frames for unit 9 kept unit 1 in contact"
    assert not _faults(sock) & _COMM_LOSS, "a request for this unit must restore contact"

    # A frame for us with a bad CRC is noise, not the host.
    def corrupt():
        frame = bytearray(rtu.build_adu(1, struct.pack(">BHH", 3, A_FAULTS, 1)))
        frame[-1] ^= 0xFF
        sock.sendall(bytes(frame))
        assert read_reply(sock, 0.05) == b""

    _for_a_while(corrupt)
    assert _faults(sock) & _COMM_LOSS, "frames with a bad CRC kept the device in contact"

    # Silence for longer than comm_loss_timeout_s sets it.
    assert not _faults(sock) & _COMM_LOSS
    time.sleep(_SPAN_S)
    assert _faults(sock) & _COMM_LOSS, "silence past comm_loss_timeout_s did not set comm_loss"
