"""Issue 14 through the CLI, with a host running on the simulated campus: a second host is
refused with the real cause, and the guard verbs say the truth."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from campus_and_host import SITE, start, stop  # noqa: E402

pytestmark = [pytest.mark.timeout(300), pytest.mark.xdist_group("host-truth")]


@pytest.fixture(scope="module")
def campus(tmp_path_factory):
    both = start(tmp_path_factory.mktemp("truth"))
    yield both
    stop(both)


def _events(campus, *extra: str) -> list[dict]:
    done = campus.cli("events", "--state-dir", str(campus.state_dir), "--json", *extra)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


# ---------------------------------------------------------------- a second host
def test_a_second_host_on_the_same_ports_is_told_who_holds_them(campus, tmp_path):
    sim_json = json.loads((campus.sim_dir / "sim.json").read_text())
    port = sim_json["buses"]["gate-bus"]["port"]
    second = campus.cli("run", "--site", str(SITE), "--sim", str(campus.sim_dir),
                        "--state-dir", str(tmp_path / "other"), timeout=60)
    assert second.returncode == 1, second.stdout + second.stderr
    assert f"port {port} is held by campusguard run, PID {campus.host.pid}" in second.stderr
    assert "Traceback" not in second.stderr
    assert not (tmp_path / "other" / "events.db").exists(), "refused before writing anything"


def test_a_second_host_on_the_same_state_dir_is_refused_and_writes_nothing(campus):
    starts = len(_events(campus, "--kind", "service.start"))
    second = campus.cli("run", "--site", str(SITE), "--sim", str(campus.sim_dir),
                        "--state-dir", str(campus.state_dir), timeout=60)
    assert second.returncode == 1, second.stdout + second.stderr
    assert f"state dir {campus.state_dir} in use by PID {campus.host.pid}" in second.stderr
    assert "Traceback" not in second.stderr
    assert len(_events(campus, "--kind", "service.start")) == starts == 1, \
        "no false service.start in the live host's log"
    assert campus.status()["mode"] == "normal", "the live host still answers"
