"""What every browser test of the console shares: Debian's headless Chromium with the flags of the
house rules (never `playwright install`), a simulated campus with the test operators and its
console, and where that console listens. The `browser` and `shots` fixtures are in conftest.py."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from tests.controller.console.console_host import operators_db
from tests.integration.running_campus import RunningCampus, wait_until

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


def console_campus(tmp_path_factory, name: str,
                   make_site: Callable[[Path], Path] | None = None) -> Iterator[RunningCampus]:
    """A running simulated campus whose state dir holds the test operators; make_site(folder)
    writes its site file (default: the small campus). Stopped when the generator is closed: use
    it as a module fixture's body (`yield from console_campus(...)`)."""
    root = tmp_path_factory.mktemp(name)
    running = RunningCampus(root, make_site(root / "site")) if make_site else RunningCampus(root)
    running.state_dir.mkdir(parents=True)
    db = operators_db(tmp_path_factory.mktemp("operators"))
    shutil.copy2(db, running.state_dir / db.name)
    try:
        running.start()
        yield running
    finally:
        running.stop()


def console_url(campus: RunningCampus) -> str:
    return wait_until(lambda: json.loads((campus.state_dir / "console.json").read_text())["url"],
                      20, "DIR/console.json")
