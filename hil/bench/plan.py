"""How many trials and sweep points a benchmark run makes: the full run and --quick."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BenchPlan:
    quick: bool
    panic_trials: int  # per panic station bus on the demo campus (panic_to_commanded)
    confirm_trials: int  # of those, how many also wait for every barrier confirmed (and reset the bollards)
    guard_trials: int  # guard_to_commanded on the demo campus
    smoke_trials: int  # smoke_to_egress_commanded on the demo campus
    alarm_trials: int  # event_to_receiver_ack (hil/alarm_bench.py)
    sweep_devices: tuple[int, ...]  # devices per bus (2 panic stations each), at every sweep_devices_bauds
    sweep_devices_bauds: tuple[int, ...]
    sweep_bauds: tuple[int, ...]  # bauds, at sweep_bauds_devices
    sweep_bauds_devices: int
    sweep_trials: int  # panic_to_commanded trials per sweep point
    budget_s: float  # stop starting new work after this long (quick must stay under 2 minutes)
    demo_budget_s: float  # of which the demo campus may take this much (the rest: alarm path, sweeps)


FULL = BenchPlan(
    quick=False,
    panic_trials=200,
    confirm_trials=20,  # each includes a bollard power cycle and a full EFO rise
    guard_trials=200,
    smoke_trials=200,
    alarm_trials=200,
    sweep_devices=(8, 16, 32, 64),
    sweep_devices_bauds=(19200, 115200),
    sweep_bauds=(),
    sweep_bauds_devices=16,
    sweep_trials=30,
    budget_s=3600.0,
    demo_budget_s=1800.0,
)

QUICK = BenchPlan(
    quick=True,
    panic_trials=3,
    confirm_trials=1,
    guard_trials=3,
    smoke_trials=1,
    alarm_trials=20,
    sweep_devices=(8, 16),
    sweep_devices_bauds=(115200,),
    sweep_bauds=(),
    sweep_bauds_devices=8,
    sweep_trials=3,
    budget_s=95.0,
    demo_budget_s=55.0,
)


def with_trials(plan: BenchPlan, trials: int) -> BenchPlan:
    """The full plan's sweep points with `trials` per path (confirmed: a fifth of them, each
    costs a full bollard rise and a reset); for a report run shorter than the full 200."""
    from dataclasses import replace

    return replace(plan, panic_trials=trials, confirm_trials=max(1, trials // 5), guard_trials=trials,
                   smoke_trials=trials, alarm_trials=max(trials, 20), sweep_trials=trials)
