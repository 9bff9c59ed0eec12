"""Percentiles match numpy's linear method; an empty sample is an error, never a zero."""

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hil.bench.latency_stats import EmptySampleError, percentile, summarise


def test_known_sample():
    values = list(range(1, 101))  # 1..100
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 99) == pytest.approx(99.01)
    assert percentile(values, 0) == 1
    assert percentile(values, 100) == 100


@settings(deadline=None, max_examples=100)  # no per-example deadline: CI machines are loaded
@given(st.lists(st.floats(0, 1e5, allow_nan=False), min_size=1, max_size=300), st.floats(0, 100))
def test_matches_numpy(values, q):
    assert percentile(values, q) == pytest.approx(float(numpy.percentile(values, q)), rel=1e-9, abs=1e-9)


def test_summary_orders_statistics():
    summary = summarise([5.0, 1.0, 9.0, 3.0, 7.0])
    assert summary.trials == 5
    assert summary.min_ms <= summary.p50_ms <= summary.p95_ms <= summary.p99_ms <= summary.max_ms == 9.0


def test_empty_sample_raises():
    with pytest.raises(EmptySampleError, match="no values"):
        summarise([])
    with pytest.raises(ValueError, match="outside"):
        percentile([1.0], 101)
