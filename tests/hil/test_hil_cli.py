"""`campusguard bench` is registered with the DESIGN.md form `bench --out DIR [--quick]`."""

from pathlib import Path

import pytest

from campusguard.cli import build_parser
from hil.bench.plan import FULL, QUICK, with_trials


def test_bench_verb_parses_the_design_form():
    args = build_parser().parse_args(["bench", "--out", "results", "--quick"])
    assert args.out == Path("results") and args.quick is True and callable(args.func)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["bench", "--quick"])  # --out is required


def test_full_run_is_200_trials_and_every_sweep_point_quick_is_smaller():
    assert FULL.panic_trials >= 200 and FULL.guard_trials >= 200 and FULL.smoke_trials >= 200
    assert FULL.sweep_devices == (8, 16, 32, 64) and FULL.sweep_devices_bauds == (19200, 115200)
    assert QUICK.quick and QUICK.budget_s < 120 and QUICK.panic_trials < FULL.panic_trials
    report = with_trials(FULL, 20)
    assert report.panic_trials == 20 and report.confirm_trials == 4 and report.sweep_devices == FULL.sweep_devices
