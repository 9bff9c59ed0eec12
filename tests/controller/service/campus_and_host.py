"""A simulated campus with a guard-room host on it, both as a user starts them (`campusguard sim
up`, `campusguard run --sim`), for the CLI-truth tests of issue 14. One per test module."""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from campusguard.cli import main
from controller.identity.seed import ensure_operators

CAMPUSGUARD = str(Path(sys.executable).with_name("campusguard"))
SITE = Path(__file__).with_name("truth-site.toml")
_ENV_KEYS = ("CAMPUSGUARD_DIAG_SESSION", "CAMPUSGUARD_LOCK_DIR")
OPERATORS = (("zhang.wei", "supervisor", "zhang.wei password", "731946"),
             ("li.na", "guard", "li.na password", "2580"),
             ("liu.yang", "technician", "liu.yang password", "8642"))
PINS = {name: pin for name, _, _, pin in OPERATORS}


@dataclass
class CampusAndHost:
    sim_dir: Path
    state_dir: Path
    sim: subprocess.Popen
    host: subprocess.Popen
    env: dict

    def cli(self, *argv: str, timeout: float = 90, stdin: str = "") -> subprocess.CompletedProcess:
        """`campusguard ARGV` in this process (a new interpreter per call costs ~2 s on a loaded
        2-core machine); `run` and pipelines go through spawn()."""
        out, err = io.StringIO(), io.StringIO()
        saved_stdin, sys.stdin = sys.stdin, io.StringIO(stdin)
        saved = {k: os.environ.get(k) for k in _ENV_KEYS}
        os.environ.update({k: self.env[k] for k in _ENV_KEYS})
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(list(argv))
        finally:
            sys.stdin = saved_stdin
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        return subprocess.CompletedProcess(list(argv), code, out.getvalue(), err.getvalue())

    def act(self, *argv: str, user: str) -> subprocess.CompletedProcess:
        """A guard verb as operator `user`, proved with their PIN on stdin."""
        return self.cli(*argv, "--user", user, "--pin-stdin", stdin=PINS[user] + "\n")

    def spawn(self, *argv: str, timeout: float = 90) -> subprocess.CompletedProcess:
        return subprocess.run([CAMPUSGUARD, *argv], capture_output=True, text=True,
                              timeout=timeout, env=self.env)

    def status(self) -> dict:
        done = self.cli("status", "--state-dir", str(self.state_dir), "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def wait(self, predicate, timeout_s: float = 60.0, what: str = "") -> dict:
        deadline = time.monotonic() + timeout_s
        status = self.status()
        while not predicate(status):
            if time.monotonic() > deadline:
                raise AssertionError(f"not reached within {timeout_s} s: {what}\n{status}")
            time.sleep(0.3)
            status = self.status()
        return status


def _wait_file(path: Path, process: subprocess.Popen, log: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"{path} did not appear:\n" + log.read_text()[-3000:])
        time.sleep(0.2)


def start(tmp: Path) -> CampusAndHost:
    env = dict(os.environ, CAMPUSGUARD_DIAG_SESSION=str(tmp / "diag-session"),
               CAMPUSGUARD_LOCK_DIR=str(tmp / "locks"))
    sim_dir, state_dir = tmp / "sim", tmp / "host"
    sim_log, host_log = tmp / "sim.log", tmp / "host.log"
    sim = subprocess.Popen([CAMPUSGUARD, "sim", "up", "--site", str(SITE), "--state-dir",
                            str(sim_dir)], stdout=sim_log.open("w"), stderr=subprocess.STDOUT,
                           start_new_session=True, env=env)
    host = None
    try:
        ensure_operators(state_dir, OPERATORS)
        _wait_file(sim_dir / "sim.json", sim, sim_log, 90)
        host = subprocess.Popen([CAMPUSGUARD, "run", "--site", str(SITE), "--sim", str(sim_dir),
                                 "--state-dir", str(state_dir)], stdout=host_log.open("w"),
                                stderr=subprocess.STDOUT, start_new_session=True, env=env)
        _wait_file(state_dir / "control.sock", host, host_log, 60)
        both = CampusAndHost(sim_dir, state_dir, sim, host, env)
        both.wait(lambda s: all(d["online"] for d in s["devices"]), 90, "every device online")
        return both
    except BaseException:
        for process in (host, sim):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
        raise


def stop(both: CampusAndHost) -> None:
    for process in (both.host, both.sim):
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
