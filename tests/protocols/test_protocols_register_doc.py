"""docs/registers.md is generated from protocols/registers.py and must not go stale."""

import subprocess
import sys
from pathlib import Path

from protocols import registers as R
from protocols.register_doc import render

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "registers.md"


def test_committed_register_doc_is_current():
    assert DOC.exists(), "docs/registers.md is missing: run `make docs`"
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/registers.md is stale: run `make docs`"
    )


def test_doc_lists_every_register_and_every_enumeration():
    text = render()
    for block in (R.COMMON,) + R.ROLE_BLOCKS[1:]:
        for reg in block:
            assert "| %d | `%s` |" % (reg[R.ADDRESS], reg[R.NAME]) in text
    for names in (
        R.GATE_FAULT_NAMES,
        R.BOLLARD_INPUT_NAMES,
        R.PANIC_STATE_NAMES,
        R.SMOKE_OUTPUT_NAMES,
        R.MODE_NAMES,
        R.COMMON_FAULT_NAMES,
    ):
        for index, name in enumerate(names):
            assert "| %d | `%s` |" % (index, name) in text
    assert "`PANIC_RESET_KEY` | 0x5253" in text


def test_check_mode_fails_on_a_stale_doc(tmp_path):
    stale = tmp_path / "registers.md"
    stale.write_text(render().replace("heartbeat", "heartbeet"), encoding="utf-8")
    tool = [sys.executable, str(REPO / "tools" / "gen_register_doc.py")]
    done = subprocess.run(
        tool + ["--check", str(stale)], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 1 and "run `make docs`" in done.stderr
    subprocess.run(tool + ["--write", str(stale)], check=True, capture_output=True, timeout=30)
    assert subprocess.run(tool + ["--check", str(stale)], timeout=30).returncode == 0
