"""Measure the CPU an idle simulated device costs: the real firmware under the MicroPython unix port.

Starts COUNT devices of each role on the sim board, each with its own UART (a TCP peer that stays
connected and silent: no host, no bus traffic) and I/O channel (a plant that sets the rest position
once: gate closed, bollard down), lets them boot, then reads each process's utime + stime from
/proc/PID/stat over SECONDS and prints the share of one core per role.

    .venv/bin/python tools/firmware_idle_cpu.py --count 8 --seconds 60 [--repo DIR]

--repo points at another checkout (e.g. the firmware before a change) to compare like with like.
comm_loss_timeout_s is 0 by default (a device with no host would otherwise run its comm-loss action,
which is not idling); --comm-loss-s 30 measures that case.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

_REPO = Path(__file__).resolve().parents[1]
_REST = {"gate": {"limit_closed": 1}, "bollard": {"limit_down": 1}, "smoke": {"sensor": 300}}
_TICKS_PER_S = os.sysconf("SC_CLK_TCK")


class _Peer:
    """A listening socket that accepts one connection, optionally sends lines, then holds it."""

    def __init__(self, lines: bytes = b"") -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(1)
        self.port = self.server.getsockname()[1]
        self.lines = lines
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.conns.append(conn)
            if self.lines:
                conn.sendall(self.lines)
            threading.Thread(target=self._drain, args=(conn,), daemon=True).start()

    def _drain(self, conn: socket.socket) -> None:
        try:
            while conn.recv(4096):
                pass
        except OSError:
            pass

    def close(self) -> None:
        self.server.close()
        for conn in self.conns:
            conn.close()


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime (fields 14 and 15 of proc(5))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--repo", type=Path, default=_REPO)
    ap.add_argument("--roles", default="gate,bollard,panic,smoke")
    ap.add_argument("--count", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--warmup", type=float, default=5.0)
    ap.add_argument("--comm-loss-s", type=int, default=0)
    ap.add_argument("--micropython", type=Path, default=_REPO / ".venv" / "bin" / "micropython")
    args = ap.parse_args()
    repo = args.repo.resolve()
    env = dict(os.environ, MICROPYPATH=f".frozen:{repo / 'firmware'}:{repo}")
    procs: list[tuple[str, subprocess.Popen[bytes]]] = []
    peers: list[_Peer] = []
    with tempfile.TemporaryDirectory(prefix="idle-cpu-") as tmp:
        try:
            unit = 1
            for role in args.roles.split(","):
                for _ in range(args.count):
                    flash = Path(tmp) / f"{role}{unit}"
                    flash.mkdir()
                    cfg = {"version": 1, "role": role, "unit": unit, "baud": 115200, "parity": "N",
                           "stopbits": 1, "site_flags": 0, "comm_loss_timeout_s": args.comm_loss_s,
                           "serial": unit, "params": {}}
                    (flash / "config.json").write_text(json.dumps(cfg))
                    uart = _Peer()
                    lines = b"".join(b"%s %d\n" % (k.encode(), v) for k, v in _REST.get(role, {}).items())
                    io = _Peer(lines)
                    peers += [uart, io]
                    cmd = [str(args.micropython), "-X", "heapsize=128k", str(repo / "firmware" / "main.py"),
                           "--uart", f"127.0.0.1:{uart.port}", "--io", f"127.0.0.1:{io.port}",
                           "--flash", str(flash)]
                    procs.append((role, subprocess.Popen(cmd, env=env, cwd=flash,
                                                         stdout=subprocess.DEVNULL)))
                    unit += 1
            time.sleep(args.warmup)
            dead = [(r, p.returncode) for r, p in procs if p.poll() is not None]
            if dead:
                print(f"devices exited during boot: {dead}", file=sys.stderr)
                return 1
            start = {p.pid: _cpu_ticks(p.pid) for _, p in procs}
            t0 = time.monotonic()
            time.sleep(args.seconds)
            elapsed = time.monotonic() - t0
            used = {p.pid: _cpu_ticks(p.pid) - start[p.pid] for _, p in procs}
        finally:
            for _, p in procs:
                p.kill()
                p.wait(5)
            for peer in peers:
                peer.close()
    load = os.getloadavg()
    print(f"{args.count} idle devices per role, {elapsed:.0f} s, repo {repo}, "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print("role       mean % of a core   max % of a core")
    for role in args.roles.split(","):
        shares = [100.0 * used[p.pid] / _TICKS_PER_S / elapsed for r, p in procs if r == role]
        print(f"{role:10s} {sum(shares) / len(shares):17.2f} {max(shares):17.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
