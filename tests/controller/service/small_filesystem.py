"""A disk that fills up, for the store-failure tests: a tmpfs of a few MB mounted for the test
(needs root and mount permission), else RLIMIT_FSIZE on the host process (prlimit: no file of
that process may grow past its current size; CPython ignores SIGXFSZ, so writes fail with EFBIG,
which SQLite reports as an I/O error). Tests skip, saying why, only when neither works."""

from __future__ import annotations

import errno
import os
import resource
import subprocess
from pathlib import Path

import pytest


def mount_tmpfs(where: Path, size_bytes: int) -> bool:
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_bytes},mode=0755", "tmpfs",
                           str(where)], capture_output=True, text=True)
    return done.returncode == 0


def unmount(where: Path) -> None:
    subprocess.run(["umount", "-l", str(where)], capture_output=True)


def fill(where: Path) -> Path:
    """Write a filler file until the filesystem holding `where` has no byte left."""
    filler = where / "filler.bin"
    block = b"\0" * 65536
    with open(filler, "wb") as out:
        try:
            while True:
                out.write(block)
                out.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc
    small = b"\0" * 512
    try:
        with open(where / "filler-tail.bin", "wb") as out:  # the last partial blocks too
            while True:
                out.write(small)
                out.flush()
    except OSError:
        pass
    return filler


def free(where: Path) -> None:
    for name in ("filler.bin", "filler-tail.bin"):
        (where / name).unlink(missing_ok=True)


class DiskFull:
    """fill()/free() the disk under a state dir, by tmpfs or by RLIMIT_FSIZE on pid."""

    def __init__(self, state_dir: Path, size_bytes: int = 8 * 1024 * 1024) -> None:
        self.state_dir = state_dir
        # CAMPUSGUARD_TEST_NO_MOUNT=1 exercises the RLIMIT_FSIZE fallback on a machine that mounts
        self.mounted = (not os.environ.get("CAMPUSGUARD_TEST_NO_MOUNT")
                        and mount_tmpfs(state_dir, size_bytes))
        self.pid: int | None = None
        if not self.mounted and not hasattr(resource, "prlimit"):
            pytest.skip("cannot mount a tmpfs (not root or mount not permitted) and this "
                        "platform has no prlimit for RLIMIT_FSIZE")

    @property
    def how(self) -> str:
        return "tmpfs" if self.mounted else "RLIMIT_FSIZE"

    def fill(self) -> None:
        if self.mounted:
            fill(self.state_dir)
            return
        assert self.pid is not None, "RLIMIT_FSIZE needs the host's pid"
        biggest = max((p.stat().st_size for p in self.state_dir.iterdir() if p.is_file()),
                      default=0)
        resource.prlimit(self.pid, resource.RLIMIT_FSIZE, (biggest, resource.RLIM_INFINITY))

    def free(self) -> None:
        if self.mounted:
            free(self.state_dir)
        elif self.pid is not None:
            try:
                resource.prlimit(self.pid, resource.RLIMIT_FSIZE,
                                 (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
            except ProcessLookupError:
                pass

    def close(self) -> None:
        if self.mounted:
            unmount(self.state_dir)
