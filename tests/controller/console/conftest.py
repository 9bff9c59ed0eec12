"""Fixtures of the console's browser tests (see browser_kit.py): one Chromium per module and the
folder screenshots go to (CAMPUSGUARD_SCREENSHOTS, e.g. docs/console, else a temporary one)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.controller.console.browser_kit import CHROMIUM, FLAGS


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    where = os.environ.get("CAMPUSGUARD_SCREENSHOTS")
    path = Path(where) if where else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path
