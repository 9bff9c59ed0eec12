"""Helpers of the simulator tests (a module with a unique name: safe beside other conftest.py)."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def write_site(directory: Path, body: str, name: str = "site.toml") -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


THIRD_PARTY_SITE = """
    [site]
    name = "third-party test site"
    timezone = "UTC"

    [[zones]]
    name = "z"
    description = "test zone"

    [[buses]]
    name = "b1"
    baud = 19200
    port = "/dev/null"
    parity = "N"
    stopbits = 1

    [[devices]]
    name = "gym-smoke"
    bus = "b1"
    unit = 30
    profile = "generic-rs485-smoke"
    zone = "z"

    [[devices]]
    name = "hall-inputs"
    bus = "b1"
    unit = 31
    profile = "generic-di-8"
    zone = "z"
    [[devices.inputs]]
    channel = 1
    name = "pool-panic"
    kind = "panic"
"""


def campusguard() -> list[str]:
    return [str(REPO / ".venv" / "bin" / "campusguard")]


def run_cli(*args: str, timeout: float = 30.0) -> subprocess.CompletedProcess:
    return subprocess.run([*campusguard(), *args], capture_output=True, text=True, timeout=timeout)
