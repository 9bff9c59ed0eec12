"""Shared fixtures: a stand-in bus (pymodbus server behind a pty) and an in-process CLI runner."""

from __future__ import annotations

import json
import logging
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from standin_bus import StandinBus, cg_bank  # noqa: E402

from campusguard.cli import main  # noqa: E402

BAUD = 19200


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@pytest.fixture(scope="module")
def standin():
    """Units 1 and 2: gates; unit 30: a third-party 8-input module (no FC 2B/0E)."""
    logging.getLogger("pymodbus").setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    bus = StandinBus(BAUD, {1: cg_bank(1, 1, BAUD), 2: cg_bank(1, 2, BAUD),
                            30: [0] * 16}, third_party=(30,)).start()
    yield bus
    bus.stop()


@pytest.fixture(scope="session", autouse=True)
def _own_mpy_cache(tmp_path_factory):
    """Compiled .mpy files are shared by this worker's tests only (never ~/.cache). Session
    scope, so module-scoped bundle fixtures see it too."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CAMPUSGUARD_MPY_CACHE", str(tmp_path_factory.mktemp("mpy-cache")))
        yield


@pytest.fixture
def cli(capsys, tmp_path, monkeypatch):
    """Run `campusguard ...` in this process; bus session counts go to a per-test directory."""
    monkeypatch.setenv("CAMPUSGUARD_DIAG_SESSION", str(tmp_path / "session"))

    def run(*argv: str) -> CliResult:
        code = main(list(argv))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
