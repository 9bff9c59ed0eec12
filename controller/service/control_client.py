"""Talk to a running host over its control socket (one JSON request, one JSON reply)."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import Any


class HostUnreachable(Exception):
    """No host answers on the control socket; the message says the fix."""


def request(socket_path: Path, payload: dict[str, Any], timeout_s: float = 15.0) -> dict[str, Any]:
    try:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(timeout_s)
            _connect(sock, str(socket_path), time.monotonic() + timeout_s)
            sock.sendall((json.dumps(payload) + "\n").encode())
            data = b""
            while not data.endswith(b"\n"):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
    except FileNotFoundError:
        raise HostUnreachable(f"no host control socket at {socket_path}. Fix: start the host with "
                              "`campusguard run --site FILE --state-dir DIR`, or pass the same "
                              "--state-dir it uses") from None
    except PermissionError:
        raise HostUnreachable(f"permission denied on {socket_path}: only the host's user and group "
                              "may act. Fix: ask the administrator to add you to that group") from None
    except OSError as exc:
        raise HostUnreachable(f"the host on {socket_path} does not answer ({exc}). Fix: check it "
                              "is running (`campusguard status`)") from exc
    if not data:
        raise HostUnreachable(f"the host on {socket_path} closed the connection without a reply")
    return json.loads(data)


def _connect(sock: socket.socket, path: str, deadline: float) -> None:
    """connect(), retried while the host's listen queue is full (EAGAIN on a unix socket): a
    flood on the socket delays a lockdown by a few milliseconds, it does not refuse it."""
    while True:
        try:
            sock.connect(path)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.02)
