"""Talk to a running host over its control socket (one JSON request, one JSON reply)."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any


class HostUnreachable(Exception):
    """No host answers on the control socket; the message says the fix."""


def request(socket_path: Path, payload: dict[str, Any], timeout_s: float = 15.0) -> dict[str, Any]:
    try:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(timeout_s)
            sock.connect(str(socket_path))
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
