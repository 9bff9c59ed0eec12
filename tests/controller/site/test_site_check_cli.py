"""`campusguard site check FILE [--json]`, and the same validator behind sim up, bundle and run:
every problem at once, `FILE:LINE: what. Fix: how`, exit 1 everywhere (issue 14)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from campusguard.cli import main

REPO = Path(__file__).resolve().parents[3]
DEMO = REPO / "sites" / "demo-campus.toml"
CAMPUSGUARD = str(Path(sys.executable).with_name("campusguard"))

# the mistakes an installer made in issue 14: a key typo, an unknown zone, a wrong [policy] value
# and a schedule naming a gate that does not exist
BAD = textwrap.dedent("""\
    [site]
    name = "typos"
    timezone = "UTC"

    [[buses]]
    name = "gate-bus"
    port = "/dev/null"
    baud = 115200

    [[zones]]
    name = "gate"
    description = "Gate"

    [[devices]]
    name = "main-gate"
    bus = "gate-bus"
    unit = 1
    role = "gate"
    zone = "gaet"
    evacuation_rout = true

    [policy]
    fire_in_normal = "one_detectr"

    [[schedules]]
    name = "arrival"
    days = ["mon"]
    start = "07:00"
    end = "08:00"
    open = ["no-such-gate"]
""")
PROBLEM_LINES = {19: "gaet", 20: "evacuation_rout", 23: "one_detectr", 30: "no-such-gate"}


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    path = tmp_path / "bad.toml"
    path.write_text(BAD)
    return path


def _lines_of(text: str, path: Path) -> dict[int, str]:
    found = {}
    for line in text.splitlines():
        if line.startswith(f"{path}:"):
            number = int(line[len(str(path)) + 1:].split(":", 1)[0])
            found[number] = line
    return found


def test_site_check_lists_every_problem_with_its_line_and_fix(bad, capsys):
    code = main(["site", "check", str(bad)])
    out = capsys.readouterr().out
    assert code == 1
    found = _lines_of(out, bad)
    assert sorted(found) == sorted(PROBLEM_LINES), out
    for number, word in PROBLEM_LINES.items():
        assert word in found[number] and ". Fix: " in found[number], found[number]


def test_site_check_json(bad, capsys):
    assert main(["site", "check", str(bad), "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] is False
    assert sorted(p["line"] for p in doc["problems"]) == sorted(PROBLEM_LINES)
    assert all(p["fix"] for p in doc["problems"])
    assert main(["site", "check", str(DEMO), "--json"]) == 0
    from controller.site import load_site

    demo = load_site(DEMO)  # counted by the loader itself: the demo campus grows
    assert json.loads(capsys.readouterr().out) == {
        "ok": True, "file": str(DEMO), "site": "Sunrise Primary School (demo)",
        "buses": len(demo.buses), "gateways": 0, "zones": len(demo.zones),
        "devices": len(demo.devices), "problems": []}


def test_sim_up_bundle_and_run_refuse_the_same_file_with_the_same_problems(bad, tmp_path):
    """One validator: the simulator used to start this campus, bundle exited 2 and run 1."""
    expected = {f"{bad}:{n}" for n in PROBLEM_LINES}
    for argv in (["sim", "up", "--site", str(bad), "--state-dir", str(tmp_path / "s")],
                 ["bundle", "--board", "esp32", "--out", str(tmp_path / "b"), "--site", str(bad),
                  "--device", "main-gate"],
                 ["run", "--site", str(bad), "--state-dir", str(tmp_path / "h")]):
        done = subprocess.run([CAMPUSGUARD, *argv], capture_output=True, text=True, timeout=60)
        text = done.stdout + done.stderr
        assert done.returncode == 1, (argv, text)
        assert all(where in text for where in expected), (argv, text)
    assert not (tmp_path / "s" / "sim.json").exists()
    assert not (tmp_path / "b").exists()
