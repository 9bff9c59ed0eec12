# Modbus turnaround under the unix port: request end to response start, measured on a raw socket.
# A generous safety bound only; the figures are printed for the report (pytest -s).
import statistics
import time

import pytest

from protocols import pdu, rtu

pytestmark = pytest.mark.micropython


def test_firmware_turnaround_request_end_to_response_start(firmware):
    fw = firmware("gate")
    sock = fw.raw()
    request = rtu.build_adu(1, pdu.read_request(3, 0, 28))
    samples = []
    for _ in range(100):
        t0 = time.perf_counter()  # before the send: a late test process can only add, not hide
        sock.sendall(request)
        first = sock.recv(1)
        t1 = time.perf_counter()
        assert first == b"\x01"
        rest = b""
        while len(first + rest) < 61:
            rest += sock.recv(256)
        samples.append((t1 - t0) * 1000)
    samples.sort()
    p50 = statistics.median(samples)
    p99 = samples[98]
    print(f"turnaround ms: min {samples[0]:.2f} p50 {p50:.2f} p99 {p99:.2f} max {samples[-1]:.2f}")
    assert samples[0] >= 1.75, "a reply must not start before t3.5 (1.75 ms at 115200 baud)"
    assert p50 < 50, "turnaround far beyond what a master's timeout allows"
    sock.close()
