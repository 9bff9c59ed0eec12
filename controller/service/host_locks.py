"""Who holds a state dir and a serial port: flock'ed lock files that name their holder.

A second `campusguard run` on the same state dir or the same port is refused with the real cause
("state dir DIR in use by PID N", "port /dev/pts/3 is held by campusguard run, PID N"), before it
writes anything: no false service.start in the live host's log, no "check the adapter is plugged
in" for a port that is merely taken.

- The state-dir lock is DIR/host.lock, taken before any other file of the dir is opened.
- A port lock is a file per port in the port-lock dir ($CAMPUSGUARD_LOCK_DIR, else
  /run/lock/campusguard when writable, else <tmp>/campusguard-locks), named after the port's real
  path. `campusguard run` and `campusguard diag` both take it, so each can name the other.

flock locks die with their process (kill -9 included), so a stale file never blocks anyone; the
text inside only names the holder while the lock is held.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

LOCK_DIR_ENV = "CAMPUSGUARD_LOCK_DIR"
STATE_LOCK = "host.lock"


class LockHeld(Exception):
    """Another process holds the lock; `holder` says who (program, pid, state dir)."""

    def __init__(self, message: str, holder: dict) -> None:
        super().__init__(message)
        self.holder = holder


@dataclass
class HeldLock:
    path: Path
    fd: int

    def release(self) -> None:
        if self.fd >= 0:
            try:
                os.ftruncate(self.fd, 0)
            except OSError:
                pass
            os.close(self.fd)
            self.fd = -1

    def __del__(self) -> None:  # an abandoned holder (a test's host never stopped) lets go
        self.release()


def lock_dir() -> Path:  # noqa: D103 - see the module doc
    named = os.environ.get(LOCK_DIR_ENV)
    if named:
        path = Path(named)
    elif os.access("/run/lock", os.W_OK):
        path = Path("/run/lock/campusguard")
    else:
        path = Path(tempfile.gettempdir()) / "campusguard-locks"
    try:
        path.mkdir(parents=True, exist_ok=True)
        os.chmod(path, 0o1777)  # every user's tools lock here, as in /tmp
    except OSError:
        pass
    return path


def port_lock_path(port: str) -> Path:
    real = os.path.realpath(port) if "://" not in port else port
    name = real.strip("/").replace("/", "_").replace(":", "_") or "port"
    return lock_dir() / f"{name}.lock"


def read_holder(path: Path) -> dict | None:
    """Who holds the lock at path, or None when nobody does."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            text = os.read(fd, 4096).decode(errors="replace")
            try:
                holder = json.loads(text)
            except ValueError:
                holder = {}
            return holder if isinstance(holder, dict) else {}
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _take(path: Path, holder: dict) -> HeldLock | dict:
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError:  # a lock dir we may not write: go on unlocked (the port's own checks remain)
        return HeldLock(path, -1)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        text = os.read(fd, 4096).decode(errors="replace")
        os.close(fd)
        try:
            found = json.loads(text)
        except ValueError:
            found = {}
        return found if isinstance(found, dict) else {}
    os.ftruncate(fd, 0)
    os.write(fd, json.dumps(holder).encode())
    return HeldLock(path, fd)


def describe(holder: dict) -> str:
    program = holder.get("program") or "another program"
    pid = holder.get("pid")
    return f"{program}, PID {pid}" if pid else program


def me(program: str, state_dir: Path | None = None) -> dict:
    out = {"program": program, "pid": os.getpid()}
    if state_dir is not None:
        out["state_dir"] = str(state_dir)
    return out


def hold_state_dir(root: Path) -> HeldLock:
    """DIR/host.lock for this process; LockHeld naming the PID that has it."""
    root.mkdir(parents=True, exist_ok=True)
    taken = _take(root / STATE_LOCK, me("campusguard run", root.resolve()))
    if isinstance(taken, HeldLock):
        return taken
    raise LockHeld(f"state dir {root} in use by PID {taken.get('pid', '?')} "
                   f"({describe(taken)}). Fix: stop that host first, or give this one another "
                   "--state-dir", taken)


def hold_port(port: str, program: str, state_dir: Path | None = None) -> HeldLock:
    """The lock of one serial port; LockHeld naming the program and PID that has it."""
    taken = _take(port_lock_path(port), me(program, state_dir))
    if isinstance(taken, HeldLock):
        return taken
    where = f" (state dir {taken['state_dir']})" if taken.get("state_dir") else ""
    raise LockHeld(f"port {port} is held by {describe(taken)}{where}. Fix: stop it first, or "
                   "use another port", taken)


def hold_host(root: Path, ports: list[str]) -> list[HeldLock]:
    """Everything a host needs before it writes a byte: its state dir, then each port."""
    held = [hold_state_dir(root)]
    try:
        for port in dict.fromkeys(ports):  # two buses named on one port: one lock
            held.append(hold_port(port, "campusguard run", root.resolve()))
    except LockHeld:
        release_all(held)
        raise
    return held


def release_all(held: list[HeldLock]) -> None:
    for lock in reversed(held):
        lock.release()
