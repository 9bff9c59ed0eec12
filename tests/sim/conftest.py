"""Fixtures of the simulator tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sim_test_support import THIRD_PARTY_SITE, write_site


@pytest.fixture
def third_party_site(tmp_path: Path) -> Path:
    return write_site(tmp_path, THIRD_PARTY_SITE)


@pytest.fixture(scope="session")
def mbpoll() -> str:
    path = shutil.which("mbpoll")
    if path is None:
        # the Makefile's `tools` target installs it; a bare checkout tells the developer how
        pytest.fail("mbpoll is not installed: run `make tools` (Debian package mbpoll)")
    return path
