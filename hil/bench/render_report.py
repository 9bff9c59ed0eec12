"""Render bench.json into docs/BENCHMARKS.md (and its plots): numbers are never typed by hand.

    python -m hil.bench.render_report bench-results/bench.json --out docs/BENCHMARKS.md \
        --plots docs/bench
"""

import argparse
import os
import sys
from pathlib import Path

from hil.bench.bench_json import BenchFileError, read_bench_json
from hil.bench.plots import plot_all

# path -> (limit in ms, the rule it comes from). The rule is the floor, our target is tighter.
LIMITS = {
    "panic_to_commanded": (2000.0, "GB 50394 / DB15/T 3968 one-key alarm response 2 s"),
    "panic_to_confirmed": (2500.0, "UFGS 02840 EFO rise <= 2.5 s (includes the mechanical rise)"),
    "smoke_to_egress_commanded": (10000.0, "NFPA 72 §10.11.1 emergency control within 10 s"),
    "guard_to_commanded": (2000.0, "same 2 s as a one-key alarm (no rule of its own)"),
    "event_to_receiver_ack": (2000.0, "DB15/T 3968 alarm transmission response 2 s"),
}

STANDARDS = (
    ("GB 50394-2007 / DB15/T 3968-2025", "one-key alarm transmission response", "2 s",
     "panic_to_commanded, event_to_receiver_ack"),
    ("NFPA 72 §10.11.1", "fire alarm to emergency control interface", "10 s",
     "smoke_to_egress_commanded"),
    ("UL 325 (DASMA TDS-353)", "obstruction while closing to reversal", "2 s",
     "scenario test_obstruction_reverses_within_ul325 (firmware last_reaction_ms)"),
    ("UFGS 02840", "bollard emergency fast operation (EFO) rise", "2.5 s",
     "panic_to_confirmed (mechanical part shown apart)"),
)

METHOD = """\
How each latency is measured (hil/bench/trials.py, hil/bench/wire_tap.py):

- **t0, the injection**: the moment the simulated plant's input changes (`Campus.inject` returns
  after the sim board's I/O channel has the new input), or, for `guard_to_commanded`, the moment
  the lockdown request is written to the host's control socket. Taken with `time.monotonic()`.
- **commanded**: the host's serial traffic runs through a wire tap (a pty the host opens, forwarded
  byte for byte to the bus). The tap timestamps every byte the host writes and splits frames; a
  path is *commanded* when every barrier it concerns has had its command leave the host: the
  mode write (FC 06 to `common.mode`; a unit 0 broadcast counts for every device on its bus) or
  the role command (close/lock/EFO, or open/lower for egress), whichever reached it first. The
  frame still needs its wire time on the simulated line after that; the bound includes it, so
  the comparison is conservative by one frame time.
- **confirmed**: the first moment the tap has seen, on every bus, a reply in which every barrier
  reports its final state (gates closed and locked, bollards up), read by the host itself. Each
  confirmed trial starts with the bollards down (the harness powers a raised bollard off, lowers
  it by hand and powers it on: a clear never lowers a fail-secure bollard).
- **stages** of the panic path: *latched* is when the station's red LED output came on (the
  board's own report to its plant), *detected* when the host read the station's alarm state.
- **trials** are spaced: each waits until the host has written no command for 0.5 s, then a
  random 0-250 ms, so presses land at random phases of the poll cycle. Panic trials rotate over
  the stations of a bus; smoke trials over the detectors (each is power-cycled afterwards: the
  alarm latches until reset).
- **bound_ms**: the wire-time lower bound (hil/bench/wire_bound.py): the frames the path needs at
  the bus's baud (11-bit characters) and the Modbus silences (slave turnaround t3.5, inter-frame
  t3.5; protocols/rtu.py). `deliberate_ms` (panic hold time, smoke alarm verification) and
  `mechanical_ms` (plant travel) are kept apart; `floor_ms` = bound + deliberate + mechanical.
- **our frames**: the same sum for the frames our host actually sends (it reads the common block,
  then the role block because `event_counter` moved, before it commands): the wire cost of the
  host's design, between the bound and the measurement.
"""


def _fmt(value: float) -> str:
    return "%.1f" % value if value < 1000 else "%.0f" % value


def _main_table(entries: list[dict]) -> list[str]:
    lines = [
        "| path | bus | baud | devices | trials | failed | p50 ms | p95 ms | p99 ms | max ms "
        "| wire bound ms | p99 / bound | our frames ms | deliberate ms | mechanical ms | p99 / floor | limit |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for e in entries:
        limit_ms, _ = LIMITS.get(e["name"], (0.0, ""))
        ok = "" if not limit_ms else ("%s ms %s" % (_fmt(limit_ms), "met" if e["max_ms"] <= limit_ms else "**missed**"))
        lines.append(
            "| %s | %s | %d | %d | %d | %d | %s | %s | %s | %s | %s | %.1f | %s | %s | %s | %s | %s |"
            % (
                e["name"], e["bus"], e["baud"], e["devices"], e["trials"], e.get("failed_trials", 0),
                _fmt(e["p50_ms"]), _fmt(e["p95_ms"]), _fmt(e["p99_ms"]), _fmt(e["max_ms"]),
                _fmt(e["bound_ms"]), e["ratio_p99"],
                _fmt(e["design_bound_ms"]) if e.get("design_bound_ms") else "-",
                _fmt(e.get("deliberate_ms", 0.0)),
                _fmt(e.get("mechanical_ms", 0.0)),
                "%.2f" % e["ratio_p99_floor"] if e.get("ratio_p99_floor") else "-", ok,
            )
        )
    return lines


def _bound_details(entries: list[dict]) -> list[str]:
    lines = []
    for e in entries:
        if not e.get("bound_steps"):
            continue
        steps = "; ".join("%s on %s %.3f ms" % (s["what"], s["bus"], s["ms"]) for s in e["bound_steps"])
        lines.append("- `%s` on %s: %s = **%.3f ms**" % (e["name"], e["bus"], steps, e["bound_ms"]))
    return lines


def _sweep_table(entries: list[dict], axis: str) -> list[str]:
    key = "devices" if axis == "devices" else "baud"
    lines = [
        "| %s | baud | bus | trials | p50 ms | p99 ms | max ms | floor ms | p99 / floor |" % key,
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for e in sorted(entries, key=lambda e: (e["baud"], e[key])):
        floor = e["bound_ms"] + e.get("deliberate_ms", 0.0) + e.get("mechanical_ms", 0.0)
        lines.append(
            "| %d | %d | %s | %d | %s | %s | %s | %s | %.2f |"
            % (e[key], e["baud"], e["bus"], e["trials"], _fmt(e["p50_ms"]), _fmt(e["p99_ms"]),
               _fmt(e["max_ms"]), _fmt(floor), e["p99_ms"] / floor if floor else 0.0)
        )
    return lines


def _headline(main: list[dict]) -> list[str]:
    """One paragraph per panic_to_commanded entry: the p99, its ratio to the bound, and the stage
    that costs the most."""
    lines = []
    for e in main:
        if e["name"] != "panic_to_commanded":
            continue
        text = ("**Panic -> every barrier commanded, panic station on %s (%d baud, %d devices): p99 %s ms, "
                "%.0f x the wire-time bound of %.2f ms** (p50 %s ms, %d trials)."
                % (e["bus"], e["baud"], e["devices"], _fmt(e["p99_ms"]), e["ratio_p99"], e["bound_ms"],
                   _fmt(e["p50_ms"]), e["trials"]))
        stages = e.get("stages") or {}
        if stages:
            typical = max(stages.items(), key=lambda kv: kv[1]["p50_ms"])
            tail = max(stages.items(), key=lambda kv: kv[1]["p99_ms"])
            text += (" Largest part of the gap: typically %s (p50 %s ms); in the tail %s (p99 %s ms)."
                     % (typical[0].replace("_", " "), _fmt(typical[1]["p50_ms"]),
                        tail[0].replace("_", " "), _fmt(tail[1]["p99_ms"])))
        lines += [text, ""]
    return lines


def render(bench: dict, plot_dir: Path, doc_path: Path) -> str:
    main = [e for e in bench["paths"] if not e.get("sweep")]
    rel = os.path.relpath(plot_dir, doc_path.parent)
    out = [
        "# Latency benchmarks",
        "",
        "Generated by `python -m hil.bench.render_report` from a real run's bench.json; do not edit",
        "by hand. Rerun the command below, then render again.",
        "",
        "- Machine: %s" % bench["machine"],
        "- Command: `%s`" % bench["command"],
        "- Load average (1 min) at start and end: %s on %s: other work on the machine shares the cores "
        "with the simulated boards, the host and the harness" % (
            " / ".join(str(v) for v in bench.get("load_average", ())) or "not recorded",
            bench["machine"].split(",")[1].strip() if "," in bench["machine"] else "this machine"),
        "- Started: %s, took %.0f s" % (bench.get("started_utc", "?"), bench.get("duration_s", 0.0)),
        "- Trials requested per path: %s%s" % (
            bench.get("trials_requested", "?"),
            " (**quick run**: fewer trials and sweep points than the full `make bench`)" if bench.get("quick") else "",
        ),
        "",
    ]
    out += _headline(main)
    out += ["## Paths", ""]
    out += _main_table(main)
    out += ["", "### What each wire bound is made of", ""] + _bound_details(main)
    staged = [e for e in main if e.get("stages")]
    if staged:
        out += ["", "### Where the time goes (panic paths)", "",
                "| path | bus | stage | p50 ms | p99 ms | max ms |", "|---|---|---|---|---|---|"]
        for e in staged:
            for stage, v in e["stages"].items():
                out.append("| %s | %s | %s | %s | %s | %s |" % (e["name"], e["bus"], stage.replace("_", " "),
                                                              _fmt(v["p50_ms"]), _fmt(v["p99_ms"]), _fmt(v["max_ms"])))
        out += ["", "press to latched: the station's own anti-false-trigger hold (`hold_ms`) and its input "
                "sampling; latched to detected: waiting for the host's next poll of the station plus the "
                "reads; detected to commanded: the host's software (policy, event store, dispatch) and "
                "the command frame."]
    for axis in ("devices", "baud"):
        points = [e for e in bench["paths"] if e.get("sweep") == axis]
        if points:
            out += ["", "## Sweep: %s" % ("devices per bus" if axis == "devices" else "baud"), ""]
            out += _sweep_table(points, axis)
            out += ["", "![sweep %s](%s/sweep_%s.png)" % (axis, rel, axis)]
    out += ["", "## Plots", ""]
    for name in sorted({e["name"] for e in main}):
        out.append("![%s](%s/%s.png)" % (name, rel, name))
    out += ["", "## The standards' limits beside ours", "",
            "| rule | what | limit | where we measure it |", "|---|---|---|---|"]
    out += ["| %s | %s | %s | %s |" % row for row in STANDARDS]
    out += ["", "## Method", "", METHOD]
    if bench.get("notes"):
        out += ["## Notes from the run", ""] + ["- %s" % n for n in bench["notes"]] + [""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bench_json", type=Path)
    parser.add_argument("--out", type=Path, default=Path("docs/BENCHMARKS.md"))
    parser.add_argument("--plots", type=Path, default=Path("docs/bench"))
    args = parser.parse_args(argv)
    try:
        bench = read_bench_json(args.bench_json)
    except BenchFileError as exc:
        print("render_report: %s" % exc, file=sys.stderr)
        return 2
    plot_all(bench, args.plots)
    args.out.write_text(render(bench, args.plots, args.out))
    print("wrote %s and plots in %s" % (args.out, args.plots))
    return 0


if __name__ == "__main__":
    sys.exit(main())
