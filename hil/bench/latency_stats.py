"""Percentiles of a latency sample, the way bench.json reports them."""

import math
from collections.abc import Sequence
from dataclasses import dataclass


class EmptySampleError(ValueError):
    """A path produced no successful trial: nothing to summarise."""


def percentile(values: Sequence[float], q: float) -> float:
    """q-th percentile (0..100) with linear interpolation between order statistics (the method
    numpy calls "linear", Hyndman & Fan type 7), so results match numpy.percentile."""
    if not values:
        raise EmptySampleError("no values: every trial of the path failed or none was run")
    if not 0.0 <= q <= 100.0:
        raise ValueError("percentile %r is outside 0..100" % (q,))
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class LatencySummary:
    trials: int  # successful trials summarised
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    min_ms: float


def summarise(values_ms: Sequence[float]) -> LatencySummary:
    return LatencySummary(
        trials=len(values_ms),
        p50_ms=percentile(values_ms, 50),
        p95_ms=percentile(values_ms, 95),
        p99_ms=percentile(values_ms, 99),
        max_ms=max(values_ms) if values_ms else 0.0,
        min_ms=min(values_ms) if values_ms else 0.0,
    )
