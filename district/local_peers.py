"""A real Mosquitto broker and a real PostgreSQL server in a temporary directory, on loopback.

Used by the tests and by the scale bench (district/bench.py); a district in production runs its
own broker and database (docs/DISTRICT.md). Both come from Debian's packages (`make tools`).

    broker = Mosquitto.start(workdir)           # broker.url == "mqtt://127.0.0.1:PORT"
    broker.stop(); broker.restart()             # SIGTERM (saves persistence), start on the same port
    db = Postgres.start(workdir)                # db.url == "postgresql://campusguard@127.0.0.1:PORT/district"
    db.stop()

PostgreSQL refuses to run as root: as root the server runs as the `postgres` account
(`runuser -u postgres --`), with its data directory owned by that account.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path


class PeerMissing(RuntimeError):
    """The Debian package is not installed; the message says how to install it."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_port(port: int, timeout_s: float, what: str, proc: subprocess.Popen | None) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode} while starting")
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port} within {timeout_s:g} s")


def mosquitto_binary() -> str:
    for candidate in (shutil.which("mosquitto"), "/usr/sbin/mosquitto"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise PeerMissing("mosquitto is not installed. Fix: run `make tools` "
                      "(apt-get install mosquitto).")


def postgres_bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise PeerMissing("PostgreSQL is not installed. Fix: run `make tools` "
                          "(apt-get install postgresql).")
    return Path(found[-1]).parent


@dataclass
class Mosquitto:
    """One mosquitto process; `extra` lines are appended to its configuration."""

    workdir: Path
    port: int
    extra: list[str] = field(default_factory=list)
    proc: subprocess.Popen | None = None
    anonymous: bool = True  # False: only accounts of the password_file given in `extra`

    @classmethod
    def start(cls, workdir: Path, *, port: int | None = None, extra: list[str] | None = None,
              anonymous: bool = True) -> Mosquitto:
        workdir.mkdir(parents=True, exist_ok=True)
        broker = cls(workdir, port or free_port(), list(extra or []), anonymous=anonymous)
        broker.restart()
        return broker

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def write_config(self) -> Path:
        conf = self.workdir / "mosquitto.conf"
        lines = [
            f"listener {self.port} 127.0.0.1",
            f"allow_anonymous {'true' if self.anonymous else 'false'}",
            "persistence true",  # a restarted broker still holds the district's queued messages
            f"persistence_location {self.workdir}/",
            "autosave_interval 1",
            "max_queued_messages 1000000",  # the district may be down a while: queue, not drop
            "max_inflight_messages 1000",  # to the district: it acknowledges a batch at a time
            "log_type error",
            "log_type warning",
            f"log_dest file {self.workdir}/mosquitto.log",
        ]
        if os.geteuid() == 0:
            lines.insert(0, "user root")  # keep the tmp dir's owner: no drop to 'mosquitto'
        conf.write_text("\n".join(lines + self.extra) + "\n")
        return conf

    def restart(self) -> None:
        conf = self.write_config()
        self.proc = subprocess.Popen([mosquitto_binary(), "-c", str(conf)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_port(self.port, 20, "mosquitto", self.proc)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(sig)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@dataclass
class Postgres:
    """A PostgreSQL cluster in `workdir/pg` (trust auth on loopback, user campusguard)."""

    workdir: Path
    port: int
    datadir: Path
    user: str = "campusguard"
    dbname: str = "district"
    started: bool = False

    @classmethod
    def start(cls, workdir: Path | None = None, *, fsync: bool = True) -> Postgres:
        bindir = postgres_bindir()
        # /tmp/pytest-of-root/... is mode 0700: the postgres account could not reach it.
        base = Path(tempfile.mkdtemp(prefix="cg-pg-", dir="/tmp"))
        os.chmod(base, 0o755)
        datadir = base / "data"
        server = cls(workdir or base, free_port(), datadir)
        run_as = _run_as()
        datadir.mkdir()
        if run_as:
            shutil.chown(base, "postgres", "postgres")
            shutil.chown(datadir, "postgres", "postgres")
        _run(run_as + [str(bindir / "initdb"), "-D", str(datadir), "-U", server.user,
                       "--auth=trust", "-E", "UTF8", "--no-locale"], "initdb")
        with (datadir / "postgresql.conf").open("a") as conf:
            conf.write(f"listen_addresses = '127.0.0.1'\nport = {server.port}\n"
                       f"unix_socket_directories = '{base}'\nmax_connections = 50\n"
                       f"fsync = {'on' if fsync else 'off'}\n")
        server.pg_ctl("start", "-w", "-t", "60", "-l", str(base / "server.log"))
        server.started = True
        _run(run_as + [str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(server.port),
                       "-U", server.user, server.dbname], "createdb")
        return server

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{self.dbname}"

    def pg_ctl(self, *args: str) -> None:
        _run(_run_as() + [str(postgres_bindir() / "pg_ctl"), "-D", str(self.datadir), *args],
             "pg_ctl " + args[0])

    def stop(self) -> None:
        if self.started:
            self.started = False
            self.pg_ctl("stop", "-m", "fast", "-w", "-t", "30")
        shutil.rmtree(self.datadir.parent, ignore_errors=True)


def _run_as() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def _run(argv: list[str], what: str) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}): {done.stderr.strip()[-800:]}")
