# Garbage on the bus: random bytes and corrupted frames never crash the firmware, never move an
# actuator, never trip the watchdog; a valid frame after the next silence is answered at once.
import random
import time

import pytest
from firmware_process import read_reply, transact

from protocols import pdu, rtu
from protocols import registers as R

pytestmark = pytest.mark.micropython


def _corrupted_frames(rng, n):
    frames = []
    for _ in range(n):
        frame = bytearray(rtu.build_adu(1, bytes([6, 0, 100, 0, rng.choice((1, 2, 4))])))
        frame[rng.randrange(len(frame))] ^= 1 << rng.randrange(8)  # one flipped bit: CRC fails
        frames.append(bytes(frame))
    return frames


@pytest.mark.parametrize("role", ["gate", "bollard"])
def test_firmware_random_bytes_and_corrupt_frames_move_nothing(firmware, role):
    fw = firmware(role)
    plant = fw.plant
    plant.set("limit_closed" if role == "gate" else "limit_down", 1)
    time.sleep(0.2)
    outputs_before = len(plant.history)
    sock = fw.raw()
    rng = random.Random(325)
    noise = bytes(rng.randrange(256) for _ in range(30000))
    for i in range(0, len(noise), 997):
        sock.sendall(noise[i:i + 997])
    time.sleep(0.05)  # the silence that resynchronises the receiver
    for frame in _corrupted_frames(rng, 50):
        sock.sendall(frame)
        time.sleep(0.015)  # each corrupted frame on its own, between silences
    t0 = time.monotonic()
    reply = transact(sock, 1, pdu.read_request(3, 0, 10))
    # Answered, not left to a watchdog restart (2 s); the bound is generous for a loaded machine.
    assert time.monotonic() - t0 < 1.5 and len(reply) == 25, reply
    assert rtu.split_adu(reply)[0] == 1
    errors = transact(sock, 1, pdu.diagnostics_request(pdu.DIAG_BUS_COMM_ERROR_COUNT, 0))
    assert (errors[4] << 8 | errors[5]) >= 10, "corrupted frames must be counted as comm errors"
    time.sleep(0.3)
    assert fw.proc.poll() is None, "firmware died (watchdog or crash)"
    moved = [h for h in plant.history[outputs_before:] if h[2]]
    assert moved == [], f"garbage moved an actuator: {moved}"
    cause = transact(sock, 1, pdu.read_request(3, R.address(R.COMMON, "reset_cause"), 1))
    assert cause[3:5] == b"\x00\x01", "reset cause changed: the firmware restarted"
    sock.close()


def test_firmware_broadcast_garbage_and_truncated_frames_are_ignored(firmware):
    fw = firmware("panic")
    sock = fw.raw()
    good = rtu.build_adu(1, pdu.read_request(3, 0, 1))
    sock.sendall(good[:5])  # truncated: the silence ends it
    time.sleep(0.2)
    sock.sendall(b"\x00" * 300)  # longer than any frame
    time.sleep(0.2)
    sock.sendall(good)
    assert len(read_reply(sock)) == 7
    sock.close()
