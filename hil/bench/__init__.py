"""Latency benchmarks: trials, wire-time bounds, statistics, bench.json, plots and the report."""
