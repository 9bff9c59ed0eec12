"""`campusguard diag` through a running host: when `campusguard run` holds the port (its port lock
names it and its state dir), the tool does not fight it for the port, nor asks the technician to
stop it (which leaves the campus unsupervised): it sends each request to the host's diagnostics
lane (DIR/diag.sock, controller/service/diag_relay.py) and judges the raw bytes that come back
with the same code as on a free port, so the output is the same."""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path

from controller.field.bus_stats import SessionStats
from controller.field.errors import FieldError, PortBusy, PortPermissionDenied, UsageError
from controller.field.modbus_master import ModbusMaster, _find_frame
from controller.field.serial_link import SerialSettings
from controller.service.host_locks import port_lock_path, read_holder

DIAG_SOCKET = "diag.sock"
_HOST_PROGRAM = "campusguard run"
_REPLY_TIMEOUT_S = 40.0  # the host answers within 30 s or says why


class HostRelayError(FieldError):
    kind = "host_relay"
    exit_code = 1


def host_holding(port: str) -> dict | None:
    """The host that holds `port` ({"pid", "state_dir", ...}), or None when no host does."""
    if "://" in port:
        return None
    holder = read_holder(port_lock_path(port))
    if holder and holder.get("program") == _HOST_PROGRAM and holder.get("state_dir"):
        return holder
    return None


class RelayConnection:
    """One JSON-lines conversation with a host's diag socket."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.settimeout(_REPLY_TIMEOUT_S)
        try:
            self._sock.connect(str(path))
        except PermissionError:
            self._sock.close()
            raise PortPermissionDenied(
                "permission denied on the host's diagnostics socket %s" % path,
                "join the host's group (the socket is 0660), or run as the host's user") from None
        except OSError as exc:
            self._sock.close()
            raise PortBusy("the host that holds the port does not answer on %s (%s)"
                           % (path, exc.strerror or exc),
                           "is it still starting or stopping? try again in a moment") from None
        self._file = self._sock.makefile("rwb")

    def ask(self, request: dict) -> dict:
        try:
            self._file.write((json.dumps(request) + "\n").encode())
            self._file.flush()
            line = self._file.readline()
        except (OSError, socket.timeout) as exc:
            raise HostRelayError("lost the host's diagnostics socket %s: %s" % (self.path, exc),
                                 "check the host is running: campusguard status") from None
        if not line:
            raise HostRelayError("the host closed its diagnostics socket %s" % self.path,
                                 "check the host is running: campusguard status")
        return json.loads(line)

    def close(self) -> None:
        try:
            self._file.close()
        finally:
            self._sock.close()


class RelayPort:
    """Stands where the serial port would be, for the code that closes it."""

    def __init__(self, connection: RelayConnection, baud: int) -> None:
        self.connection = connection
        self.baudrate = baud
        self._campusguard_lock = None

    def close(self) -> None:
        self.connection.close()


class RelayedMaster(ModbusMaster):
    """ModbusMaster whose line is the host's diagnostics lane. Only the transport differs."""

    relayed = True

    def __init__(self, port: RelayPort, settings: SerialSettings, stats: SessionStats,
                 turnaround_s: float, retries: int) -> None:
        super().__init__(port, settings, stats, turnaround_s, retries)  # type: ignore[arg-type]
        self.connection = port.connection

    def _transact(self, unit: int, adu: bytes, expect_bytes: int) -> bytearray:
        reply = self.connection.ask({"op": "exchange", "port": self.settings.port,
                                     "adu": adu.hex(), "expect_bytes": expect_bytes,
                                     "turnaround_s": self.turnaround_s})
        if not reply.get("ok"):
            raise HostRelayError("the host could not put the request on the line: %s"
                                 % reply.get("error"), "see `campusguard status` (bus up?)")
        if reply.get("stray"):
            self.stats.count(unit, "stray_bytes", int(reply["stray"]))
        buf = bytearray(bytes.fromhex(reply.get("bytes", "")))
        start, end = _find_frame(buf, unit)
        if end:
            if start:
                self.stats.count(unit, "stray_bytes", start)
            return buf[start:end]
        return buf


def open_through_host(settings: SerialSettings, holder: dict, stats: SessionStats,
                      turnaround_s: float, retries: int, baud_given: bool
                      ) -> tuple[RelayPort, RelayedMaster]:
    path = Path(holder["state_dir"]) / DIAG_SOCKET
    connection = RelayConnection(path)
    hello = connection.ask({"op": "hello", "port": settings.port})
    if not hello.get("ok"):
        connection.close()
        raise HostRelayError(str(hello.get("error")), "name the bus the host runs")
    if baud_given and int(hello["baud"]) != settings.baud:
        connection.close()
        raise UsageError("the host runs %s at %d baud; through the host the tools use its speed"
                         % (settings.port, hello["baud"]),
                         "drop --baud, or stop the host to try other speeds on a free port")
    line = SerialSettings(settings.port, int(hello["baud"]), hello.get("parity", "N"),
                          int(hello.get("stopbits", 1)))
    sys.stderr.write("through the host (campusguard run, PID %s, bus %s): the campus stays "
                     "supervised\n" % (holder.get("pid"), hello.get("bus")))
    port = RelayPort(connection, line.baud)
    return port, RelayedMaster(port, line, stats, turnaround_s, retries)


def host_socket(state_dir: str | None) -> Path:
    from controller.service.paths import StatePaths

    return StatePaths.of(state_dir).root / DIAG_SOCKET
