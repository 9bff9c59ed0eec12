"""Putting a bundle on a MicroPython board with mpremote (`mpremote connect PORT fs cp ...`): the
plan as a list of commands (what --dry-run prints), and running it with clear failures."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from controller.field.errors import FlashError

STEP_TIMEOUT_S = 120  # copying ~60 files over USB serial takes tens of seconds on an ESP32


@dataclass(frozen=True)
class Step:
    name: str  # short label shown in the plan
    argv: tuple[str, ...]  # the command
    cwd: str  # working directory (the bundle, so board paths are relative to it)
    may_fail: bool  # True when failing is an answer, not an error (no old config to back up)
    why: str  # one line for the plan


def mpremote() -> str:
    candidate = Path(sys.executable).with_name("mpremote")
    return str(candidate) if candidate.exists() else "mpremote"


def plan(bundle_dir: Path, port: str, backup_file: Path) -> list[Step]:
    tool = mpremote()
    code = sorted(p.name for p in bundle_dir.iterdir()
                  if p.name not in ("config.json", "manifest.json"))
    dirs = [name for name in code if (bundle_dir / name).is_dir()]
    cwd = str(bundle_dir)
    base = (tool, "connect", port)
    steps = [
        Step("backup", base + ("fs", "cp", ":config.json", str(backup_file)), cwd, True,
             "save the board's current config.json to %s (none on a blank board)" % backup_file),
        Step("clean", base + ("fs", "rm", "-r") + tuple(":" + d for d in dirs), cwd, True,
             "remove the old code directories: a stale .py would shadow a new .mpy"),
        Step("copy", base + ("fs", "cp", "-r") + tuple(code) + (":",), cwd, False,
             "copy main.py and the compiled packages (%s)" % ", ".join(dirs)),
        Step("config", base + ("fs", "cp", "config.json", ":config.json"), cwd, False,
             "write the device configuration"),
        Step("reset", base + ("reset",), cwd, False, "hard-reset the board so it boots the new code"),
    ]
    return steps


def describe(steps: list[Step]) -> list[dict]:
    return [{"step": s.name, "command": " ".join(s.argv), "cwd": s.cwd, "why": s.why}
            for s in steps]


def run(steps: list[Step], log=print) -> list[dict]:
    """Run each step; FlashError on the first that fails (unless it may fail)."""
    results = []
    for step in steps:
        started = time.monotonic()
        try:
            done = subprocess.run(step.argv, cwd=step.cwd, capture_output=True, text=True,
                                  timeout=STEP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise FlashError("mpremote %s did not finish within %d s" % (step.name, STEP_TIMEOUT_S),
                             "unplug and replug the board, then run flash again") from None
        except FileNotFoundError:
            raise FlashError("mpremote is not installed", "run `make .venv/.installed`") from None
        ok = done.returncode == 0
        results.append({"step": step.name, "ok": ok, "seconds": round(time.monotonic() - started, 2),
                        "output": (done.stdout + done.stderr).strip()[-400:]})
        log("  %-7s %s" % (step.name, "ok" if ok else ("skipped (%s)" % _first_line(done)
                                                       if step.may_fail else "FAILED")))
        if not ok and not step.may_fail:
            raise FlashError("mpremote %s failed: %s" % (step.name, _first_line(done)),
                             _hint(done.stdout + done.stderr, step.argv[2]))
    return results


def _first_line(done: subprocess.CompletedProcess) -> str:
    text = (done.stderr or done.stdout).strip().splitlines()
    return text[-1] if text else "exit code %d" % done.returncode


def _hint(output: str, port: str) -> str:
    if "failed to access" in output or "could not enter raw repl" in output:
        return ("is the board plugged in on %s, and is no other program (Thonny, a REPL, "
                "`campusguard diag`) using the port? List boards: mpremote connect list" % port)
    if "No space" in output or "ENOSPC" in output:
        return "the board's filesystem is full: erase it (mpremote fs rm -r :) and flash again"
    return "run the command shown by --dry-run by hand to see the board's answer"
