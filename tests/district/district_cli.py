"""The district centre as users run it: `campusguard district run` in its own process, and its
HTTP API through a cookie-keeping client (stdlib only)."""

from __future__ import annotations

import http.cookiejar
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "campusguard.cli"]


def add_operator(state_dir: Path, name: str, role: str, password: str, pin: str = "2468") -> None:
    subprocess.run([*CLI, "user", "add", name, "--role", role, "--state-dir", str(state_dir)],
                   input=f"{password}\n{pin}\n", text=True, check=True, capture_output=True,
                   cwd=ROOT, timeout=120)


class DistrictProcess:
    def __init__(self, config: Path, state_dir: Path) -> None:
        self.config = config
        self.state_dir = state_dir
        self.proc: subprocess.Popen | None = None
        self.url = ""

    def start(self, timeout_s: float = 90) -> DistrictProcess:
        marker = self.state_dir / "district.json"
        marker.unlink(missing_ok=True)
        self.proc = subprocess.Popen(
            [*CLI, "district", "run", "--config", str(self.config), "--state-dir",
             str(self.state_dir)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        deadline = time.monotonic() + timeout_s
        while not marker.exists():
            if self.proc.poll() is not None:
                raise AssertionError(f"district run exited {self.proc.returncode}: "
                                     f"{self.proc.stderr.read()[-2000:]}")
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError("district run wrote no district.json")
            time.sleep(0.1)
        self.url = json.loads(marker.read_text())["url"]
        return self

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self) -> int:
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


class Api:
    """A browser-like client: keeps the session cookie."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.csrf = ""  # sent as X-CSRF-Token once set (POST with a session cookie)
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict | str]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json",
                                                  **({"X-CSRF-Token": self.csrf}
                                                     if self.csrf else {})})
        try:
            with self.opener.open(request, timeout=30) as reply:
                status, text, kind = reply.status, reply.read().decode(), reply.headers.get(
                    "content-type", "")
        except urllib.error.HTTPError as error:
            status, text, kind = error.code, error.read().decode(), error.headers.get(
                "content-type", "")
        return status, json.loads(text) if "json" in kind else text


def follow_stream(api: Api, into: list[dict], stop_when) -> None:
    """Read GET /api/stream (server-sent events) into `into` until stop_when(into) is true."""
    request = urllib.request.Request(api.url + "/api/stream")
    with api.opener.open(request, timeout=60) as reply:
        for raw in reply:
            line = raw.decode().strip()
            if line.startswith("data: "):
                into.extend(json.loads(line[6:])["events"])
                if stop_when(into):
                    return
