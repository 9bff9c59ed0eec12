"""Who may read the state dir: the host's user and its group, nobody else.

The event log names people and what they did, operators.db holds credential hashes, the policy
state says whether the campus is locked down: none of it is for every account on the machine.
The host sets umask 0o027 before it creates anything (files 0640, directories 0750) and tightens
what an older version or another tool left readable by others. The control socket is 0660 with
the site's [control] group (control_server.py)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

UMASK = 0o027  # no write for the group, nothing for others
DIR_MODE = 0o750


def secure_state_dir(root: Path) -> None:
    """Set the process umask, create root 0750 and take 'other' access off what is there."""
    os.umask(UMASK)
    root.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    tighten(root)


def tighten(root: Path) -> None:
    """root 0750; each file of ours in it loses every permission bit for others and group write
    (sockets are left to their owner: the control socket is 0660 on purpose)."""
    me = os.geteuid()
    for path in (root, *root.iterdir()):
        try:
            info = path.lstat()
        except FileNotFoundError:  # a SQLite journal that came and went
            continue
        if info.st_uid != me or stat.S_ISSOCK(info.st_mode) or stat.S_ISLNK(info.st_mode):
            continue
        mode = stat.S_IMODE(info.st_mode)
        wanted = DIR_MODE if path == root else mode & ~(UMASK | stat.S_ISUID | stat.S_ISGID)
        if wanted != mode:
            os.chmod(path, wanted)
