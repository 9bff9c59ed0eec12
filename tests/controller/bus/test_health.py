"""The offline evidence rule (controller/bus/health.py): a run of failures is a dead device only
when it spans min_span_s and is longer than the line's own failure rate can explain."""

from __future__ import annotations

from controller.bus.health import DeviceHealth, HealthPolicy, LineQuality


def test_failures_needed_grows_with_the_line_error_rate():
    policy = HealthPolicy()
    assert policy.failures_needed(0.0) == 6  # clean line: the 2 % floor, 0.02**6 < 1e-9
    assert policy.failures_needed(0.2) == 13  # ~1 % byte noise on a 19200 baud line
    assert policy.failures_needed(0.2) > policy.failures_needed(0.05) > policy.failures_needed(0.0)
    assert policy.failures_needed(0.999) == policy.max_failures
    for p in (0.02, 0.12, 0.2, 0.4):
        assert p ** policy.failures_needed(p) <= policy.false_offline_p


def test_a_short_burst_of_failures_is_not_offline_however_many():
    health = DeviceHealth(HealthPolicy())
    health.success()
    went_offline = [health.failure(10.0 + i * 0.01) for i in range(30)]  # 30 failures in 0.3 s
    assert not any(went_offline) and health.online is True and health.suspect


def test_a_dead_device_goes_offline_once_the_run_spans_the_minimum_and_the_count():
    health = DeviceHealth(HealthPolicy())
    health.success()
    times = [10.0 + 0.3 * i for i in range(8)]  # 6 failures take 1.5 s = min_span_s
    results = [health.failure(t) for t in times]
    assert results.index(True) == 5 and health.online is False and not health.suspect
    assert health.success() is True and health.online is True  # one answer brings it back


def test_a_noisy_line_needs_a_longer_run_and_a_dead_device_does_not_raise_its_own_bar():
    policy = HealthPolicy()
    line = LineQuality(policy)
    for i in range(200):
        line.record(f"live-{i % 4}", i % 5 == 0)  # 20 % of the other devices' transactions fail
    assert 0.15 < line.error_rate < 0.25
    dead = DeviceHealth(policy, line, "dead")
    dead.success()
    results = [dead.failure(1.0 + 0.3 * i) for i in range(20)]
    assert results.index(True) + 1 == line.failures_needed("dead") >= 12
    assert line.error_rate_without("dead") < 0.25, "its own failures are not the line's noise"


def test_when_nothing_on_the_line_answers_it_is_the_line_not_every_device():
    policy = HealthPolicy()
    line = LineQuality(policy)
    line.devices = 3
    health = DeviceHealth(policy, line)
    health.success()
    line.last_answer_at = 9.0
    assert not any(health.failure(10.0 + 0.3 * i) for i in range(20)), "a stalled line or host"
    line.last_answer_at = 16.5  # another device answers: this one alone is dead
    assert health.failure(16.6) is True and health.online is False
