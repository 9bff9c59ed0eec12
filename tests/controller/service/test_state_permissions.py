"""The state dir is for the host's user and group only: umask 0o027, dir 0750, events.db (and
its WAL/SHM), operators.db and every state file without access for others; the control socket
0660 with the site's [control] group."""

from __future__ import annotations

import asyncio
import grp
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from controller.service.control_client import request
from controller.service.host import Host
from controller.service.legacy_users import legacy_users_notice
from controller.service.paths import StatePaths
from controller.service.ports import BusPort
from controller.site import SiteError, load_site

SITE = Path(__file__).resolve().parents[2] / "integration" / "small-campus.toml"
# A group other than the host's own when we may give one away (root in CI), so the test sees the
# socket's group change; otherwise our own.
MY_GROUP = next((g.gr_name for g in grp.getgrall() if g.gr_gid != os.getegid()),
                grp.getgrgid(os.getegid()).gr_name) if os.geteuid() == 0 \
    else grp.getgrgid(os.getegid()).gr_name


def site_with(tmp_path, extra: str):
    path = tmp_path / "site.toml"
    path.write_text(SITE.read_text() + extra)
    return load_site(path)


def unplugged(site, tmp_path):
    return {b.name: BusPort(b.name, str(tmp_path / f"no-{b.name}"), b.baud, b.parity, b.stopbits)
            for b in site.buses}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_state_files_are_owner_and_group_only(tmp_path):
    site = site_with(tmp_path, f'\n[control]\ngroup = "{MY_GROUP}"\n')
    paths = StatePaths(tmp_path / "state")
    paths.root.mkdir(mode=0o777)
    os.chmod(paths.root, 0o777)
    leftover = paths.root / "host.pid"
    leftover.write_text("1\n")
    os.chmod(leftover, 0o666)  # left world-writable by something older
    old_umask = os.umask(0o022)
    try:
        host = Host(site, paths, unplugged(site, tmp_path))
        host.operators.add("li.na", "guard", "li.na password", "2580")
        await host.start()
        try:
            reply = await asyncio.to_thread(
                request, paths.control_socket, {"verb": "lockdown", "reason": "modes"})
            assert reply["ok"]
            sock = paths.control_socket.stat()
            assert stat.S_IMODE(sock.st_mode) == 0o660
            assert sock.st_gid == grp.getgrnam(MY_GROUP).gr_gid
            assert mode(paths.root) == 0o750
            files = [p for p in paths.root.iterdir() if not p.is_socket()]
            assert {"events.db", "operators.db", "host.pid"} <= {p.name for p in files}
            for path in files:
                assert mode(path) & 0o027 == 0, f"{path.name} is {oct(mode(path))}"
            assert mode(paths.root / "operators.db") == 0o640
        finally:
            await host.stop()
    finally:
        os.umask(old_umask)


def test_a_control_group_that_does_not_exist_stops_run_with_the_fix(tmp_path):
    site_file = tmp_path / "site.toml"
    site_file.write_text(SITE.read_text() + '\n[control]\ngroup = "no-such-group-xyz"\n')
    out = subprocess.run([sys.executable, "-m", "campusguard.cli", "run", "--site",
                          str(site_file), "--state-dir", str(tmp_path / "state")],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    line = len(SITE.read_text().splitlines()) + 3
    assert f"site.toml:{line}:" in out.stderr and "groupadd no-such-group-xyz" in out.stderr
    assert "no longer decides who may act" in out.stderr, "[[users]] is named as legacy"


def test_control_section_errors_name_file_and_line(tmp_path):
    with pytest.raises(SiteError) as err:
        site_with(tmp_path, '\n[control]\ngroup = 5\nowner = "x"\n')
    text = str(err.value)
    assert "site.toml:" in text and "control.group" in text and "owner" in text
    assert site_with(tmp_path, "").control.group is None


def test_legacy_users_are_named_as_ignored_with_the_fix():
    notice = legacy_users_notice(load_site(SITE))
    assert "no longer decides who may act" in notice and "campusguard user add" in notice
