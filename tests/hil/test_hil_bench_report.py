"""bench.json carries the DESIGN.md fields; the report and plots are rendered from it."""

import json

import pytest

from hil.bench.bench_json import (
    BenchFileError,
    BenchReport,
    path_result,
    read_bench_json,
    write_bench_json,
)
from hil.bench.latency_stats import summarise
from hil.bench.render_report import main as render_main
from hil.bench.wire_bound import BusTiming, detect_then_broadcast

DESIGN_FIELDS = {
    "name", "bus", "baud", "devices", "trials",
    "p50_ms", "p95_ms", "p99_ms", "max_ms", "bound_ms", "ratio_p99",
}


def _report() -> BenchReport:
    bus = BusTiming("gate-bus", 115200)
    samples = tuple(float(v) for v in range(200, 400))
    entry = path_result(
        "panic_to_commanded", "gate-bus", 115200, 9, summarise(samples),
        detect_then_broadcast(bus, [bus]), samples_ms=samples, deliberate_ms=200.0,
    )
    sweep = [
        path_result("panic_to_commanded", "bus-a", 115200, n, summarise(samples),
                    detect_then_broadcast(bus, [bus]), samples_ms=samples, sweep="devices")
        for n in (8, 16)
    ]
    return BenchReport(machine="test box", command="campusguard bench --quick --out X",
                       paths=(entry, *sweep), quick=True, trials_requested=200)


def test_bench_json_has_design_fields_and_ratio(tmp_path):
    path = write_bench_json(_report(), tmp_path)
    data = json.loads(path.read_text())
    assert {"machine", "command", "paths"} <= set(data)
    entry = data["paths"][0]
    assert DESIGN_FIELDS <= set(entry)
    assert entry["trials"] == 200
    assert entry["ratio_p99"] == pytest.approx(entry["p99_ms"] / entry["bound_ms"], rel=0.01)
    assert entry["floor_ms"] == pytest.approx(entry["bound_ms"] + 200.0, abs=0.01)
    assert data["quick"] is True


def test_unknown_path_name_is_refused():
    with pytest.raises(BenchFileError, match="unknown path name"):
        path_result("panic_to_somewhere", "b", 9600, 1, summarise([1.0]),
                    detect_then_broadcast(BusTiming("b", 9600), [BusTiming("b", 9600)]),
                    samples_ms=(1.0,))


def test_reader_names_missing_field(tmp_path):
    bad = tmp_path / "bench.json"
    bad.write_text(json.dumps({"machine": "m", "command": "c", "paths": [{"name": "x"}]}))
    with pytest.raises(BenchFileError, match="paths\\[0\\] \\(x\\) has no 'bus'"):
        read_bench_json(bad)
    with pytest.raises(BenchFileError, match="does not exist"):
        read_bench_json(tmp_path / "none.json")


def test_render_writes_markdown_table_and_pngs(tmp_path):
    write_bench_json(_report(), tmp_path)
    doc = tmp_path / "docs" / "BENCHMARKS.md"
    doc.parent.mkdir()
    plots = tmp_path / "docs" / "bench"
    assert render_main([str(tmp_path / "bench.json"), "--out", str(doc), "--plots", str(plots)]) == 0
    text = doc.read_text()
    assert "| panic_to_commanded | gate-bus | 115200 | 9 | 200 |" in text
    assert "quick run" in text and "NFPA 72" in text and "UL 325" in text
    assert "](bench/panic_to_commanded.png)" in text
    for png in ("panic_to_commanded.png", "sweep_devices.png"):
        assert (plots / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

