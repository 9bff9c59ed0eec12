"""What a failed store write means, in words a guard or a technician can act on."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from controller.store.errors import StoreUnavailable

RETRY_S = 2.0  # the event writer retries a failing store this often

_DAMAGED = ("malformed", "not a database", "corrupt")


def is_damage(exc: BaseException) -> bool:
    """True for damaged pages or a file that is not a database (as opposed to a full disk)."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or any(
        word in str(exc).lower() for word in _DAMAGED)


def _free_bytes(path: Path) -> int | None:
    try:
        stat = os.statvfs(path.parent)
    except OSError:
        return None
    return stat.f_bavail * stat.f_frsize


def describe(exc: BaseException, path: Path) -> str:
    """One line: which file, on which directory, what failed, and the fix."""
    path = path.resolve()  # a symlinked events.db: say the disk it really is on
    where = f"{path.name} on {path.parent}"
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    if name.startswith("SQLITE_FULL") or "disk is full" in text or getattr(exc, "errno", None) == errno.ENOSPC:
        free = _free_bytes(path)
        left = f", {free} bytes free" if free is not None else ""
        return (f"{where}: disk full (errno {errno.ENOSPC}{left}). Fix: free space on that "
                f"filesystem; the host retries every {RETRY_S:g} s and writes what it kept in memory")
    if is_damage(exc):
        return (f"{where}: damaged pages ({text}). Fix: stop the host and start it again: it moves "
                f"the damaged file aside (events.db.damaged-<time>), starts a fresh store and "
                f"raises trouble; `campusguard events` still shows what is readable in the old one")
    if name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN")) or isinstance(exc, OSError):
        return (f"{where}: I/O error ({text}). Fix: check the disk (dmesg, mount state, "
                f"permissions of {path.parent}); the host retries every {RETRY_S:g} s")
    if name.startswith(("SQLITE_READONLY", "SQLITE_PERM")):
        return (f"{where}: the store is read-only ({text}). Fix: make {path.parent} writable by "
                f"the host's user; the host retries every {RETRY_S:g} s")
    return (f"{where}: write failed ({type(exc).__name__}: {text}). Fix: check the disk and "
            f"{path.parent}; the host retries every {RETRY_S:g} s")


def as_unavailable(exc: BaseException, path: Path) -> StoreUnavailable:
    return StoreUnavailable(describe(exc, path))

