"""Talk to a running simulator through DIR/sim.sock (used by `campusguard sim inject|down|status`)."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

from sim.errors import SimError, SimNotRunning

_TIMEOUT_S = 15.0


def request(state_dir: Path, message: dict[str, Any], timeout_s: float = _TIMEOUT_S) -> Any:
    """Send one request, return its result; SimError with the simulator's message when it refuses."""
    path = state_dir / "sim.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout_s)
        try:
            sock.connect(str(path))
        except (FileNotFoundError, ConnectionRefusedError):
            raise SimNotRunning(
                f"no simulator runs in {state_dir} (no answer on {path}): start one with "
                f"`campusguard sim up --site FILE --state-dir {state_dir}`"
            ) from None
        sock.sendall((json.dumps(message) + "\n").encode())
        data = b""
        while not data.endswith(b"\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    if not data:
        raise SimError(f"the simulator in {state_dir} closed the connection without answering")
    reply = json.loads(data)
    if not reply.get("ok"):
        raise SimError(reply.get("error", "the simulator refused the request"))
    return reply.get("result")
