"""The mpremote step up to the board boundary: the exact commands (--dry-run), and the real
mpremote run against a port with no board behind it."""

from __future__ import annotations

import json
import os

import pytest

from controller.field.errors import FlashError
from controller.field.firmware_bundle import REPO

SITE = str(REPO / "sites" / "demo-campus.toml")
FLASH = ["flash", "--board", "esp32", "--site", SITE, "--device", "main-gate-barrier"]


@pytest.fixture
def ports():
    """Two ports that exist (ptys): the board's USB port and the RS-485 bus."""
    fds = [os.openpty() for _ in range(2)]
    yield [os.ttyname(slave) for _, slave in fds]
    for pair in fds:
        for fd in pair:
            os.close(fd)


def test_dry_run_prints_the_plan_and_changes_nothing(tmp_path, cli, ports):
    backups = tmp_path / "backups"
    r = cli(*FLASH, "--port", ports[0], "--bus-port", ports[1], "--dry-run",
            "--backup-dir", str(backups), "--bundle-dir", str(tmp_path / "bundle"), "--json")
    assert r.code == 0, r.err
    plan = {step["step"]: step["command"] for step in r.json()["plan"]}
    assert list(plan) == ["backup", "clean", "copy", "config", "reset"]
    assert " connect %s fs cp :config.json %s" % (ports[0], backups) in plan["backup"]
    assert plan["copy"].endswith("fs cp -r board core main.py protocols roles :")
    assert plan["config"].endswith("fs cp config.json :config.json")
    assert plan["reset"].endswith("connect %s reset" % ports[0])
    assert r.json()["config"]["unit"] == 2 and ports[1] in r.json()["proof"]
    assert not backups.exists()
    config = json.loads((tmp_path / "bundle" / "config.json").read_text())
    assert config["unit"] == 2 and config["params"] == {"travel_timeout_s": 10}


def test_dry_run_text_for_a_person(tmp_path, cli, ports):
    r = cli(*FLASH, "--port", ports[0], "--bus-port", ports[1], "--dry-run",
            "--bundle-dir", str(tmp_path / "bundle"))
    assert "plan (dry run, nothing changed)" in r.out
    assert "save the board's current config.json" in r.out and "6. would read" in r.out


def test_dry_run_checks_the_ports_and_leaves_no_temporary_bundle(tmp_path, cli, ports,
                                                                 monkeypatch):
    """issue 14: a dry run passed with ports that do not exist and left bundle dirs in /tmp."""
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", None)
    missing = cli(*FLASH, "--port", "/dev/ttyUSB77", "--bus-port", ports[1], "--dry-run")
    assert missing.code == 3 and "no serial port /dev/ttyUSB77" in missing.err
    assert "fix:" in missing.err
    bus_missing = cli(*FLASH, "--port", ports[0], "--bus-port", "/dev/ttyUSB78", "--dry-run")
    assert bus_missing.code == 3 and "/dev/ttyUSB78" in bus_missing.err
    done = cli(*FLASH, "--port", ports[0], "--bus-port", ports[1], "--dry-run", "--json")
    assert done.code == 0, done.err
    assert done.json()["bundle"]["temporary"] is True
    assert list((tmp_path / "tmp").iterdir()) == [], "the temporary bundle was left behind"


def test_no_board_on_the_port_fails_clearly(tmp_path, cli):
    """Real mpremote, no board: the copy step fails, the message names the port and the fix."""
    r = cli(*FLASH, "--port", str(tmp_path / "ttyNOBOARD"), "--bus-port", "/dev/null",
            "--backup-dir", str(tmp_path / "backups"), "--bundle-dir", str(tmp_path / "bundle"))
    assert r.code == FlashError.exit_code
    assert "mpremote copy failed" in r.err and "failed to access" in r.err
    assert "is the board plugged in" in r.err
    assert "backup  skipped" in r.out  # no board, so no old config to save


def test_flash_needs_board_and_port(cli):
    r = cli("flash", "--site", SITE, "--device", "main-gate-barrier")
    assert r.code == 2 and "--board and --port are needed" in r.err
