"""Hardware-in-the-loop: targets (simulator or real devices), scenarios and latency benchmarks."""
