"""`campusguard bench --out DIR [--quick] [--report FILE]`: the latency benchmarks."""

from __future__ import annotations

import argparse
import asyncio
import json
import shlex
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "bench",
        help="latency benchmarks on the simulated campus: bench.json and PNG plots",
        description="Run repeated trials of every latency path (panic, guard command, smoke, alarm "
        "transmission) on the simulated demo campus and sweep devices per bus and baud; write "
        "DIR/bench.json and PNG plots. Each latency is shown beside its wire-time lower bound.",
    )
    parser.add_argument("--out", required=True, type=Path, help="directory for bench.json and the plots")
    parser.add_argument("--quick", action="store_true",
                        help="few trials and sweep points, under 2 minutes (bench.json says quick)")
    parser.add_argument("--trials", type=int, default=None,
                        help="trials per path instead of the full run's 200 (all sweep points kept; bench.json says so)")
    parser.add_argument("--site", type=Path, default=None, help="site file for the main table (default: the demo campus)")
    parser.add_argument("--report", type=Path, default=None,
                        help="also render this markdown report (e.g. docs/BENCHMARKS.md) with plots beside it in bench/")
    parser.add_argument("--heapsize", default=None,
                        help="MicroPython heap of each simulated board (default: the simulator's, the boards' RAM)")
    parser.add_argument("--keep-work", action="store_true", help="keep the temporary sim/host directories (logs)")
    parser.set_defaults(func=_bench)


def _bench(args: argparse.Namespace) -> int:
    from hil.bench.plan import FULL, QUICK, with_trials
    from hil.bench.runner import DEMO_SITE, run_bench

    command = "campusguard " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:2] == ["bench"] else (
        "campusguard bench --out %s%s" % (args.out, " --quick" if args.quick else ""))
    plan = QUICK if args.quick else FULL
    if args.trials:
        plan = with_trials(plan, args.trials)
    path = asyncio.run(run_bench(args.out, plan, command,
                                 demo_site=args.site or DEMO_SITE, keep_work=args.keep_work,
                                 heapsize=args.heapsize))
    bench = json.loads(path.read_text())
    for entry in bench["paths"]:
        print("%-26s %-14s %6d baud %3d dev  n=%-3d p50 %8.1f  p99 %8.1f  max %8.1f ms  bound %6.2f ms  p99/bound %6.1f%s"
              % (entry["name"], entry["bus"], entry["baud"], entry["devices"], entry["trials"], entry["p50_ms"],
                 entry["p99_ms"], entry["max_ms"], entry["bound_ms"], entry["ratio_p99"],
                 "  [sweep %s]" % entry["sweep"] if entry.get("sweep") else ""))
    for note in bench.get("notes", ()):
        print("note: %s" % note)
    print("wrote %s (%.0f s)" % (path, bench["duration_s"]))
    if args.report:
        from hil.bench.render_report import main as render

        render([str(path), "--out", str(args.report), "--plots", str(args.report.parent / "bench")])
    return 0 if bench["paths"] else 1
