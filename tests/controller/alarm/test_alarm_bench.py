"""hil/alarm_bench.py measures event -> ACK against pysiaalarm on loopback."""

from hil.alarm_bench import measure_event_to_ack


async def test_measure_event_to_ack_returns_one_latency_per_trial():
    samples = await measure_event_to_ack(5)
    assert len(samples) == 5
    assert all(0 < ms for ms in samples)
    # safety bound only (one-key alarm to the police: transmission response <= 2 s); the
    # figure itself is a benchmark, not an assertion
    assert max(samples) < 2000
