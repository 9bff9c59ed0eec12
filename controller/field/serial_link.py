"""Open a serial port (USB-RS-485 adapter or a simulated bus pty) and turn the operating system's
failures into field errors that say what to do."""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass

import serial

from controller.field.errors import FieldError, NoSuchPort, PortBusy, PortPermissionDenied
from controller.service.host_locks import LockHeld, hold_port

PARITIES = {"N": serial.PARITY_NONE, "E": serial.PARITY_EVEN, "O": serial.PARITY_ODD}
COMMON_BAUDS = (9600, 19200, 38400, 57600, 115200)


@dataclass(frozen=True)
class SerialSettings:
    port: str  # device path (/dev/ttyUSB0, /dev/pts/N) or a pyserial URL (socket://host:port)
    baud: int = 19200  # bits per second on the line
    parity: str = "N"  # N, E or O
    stopbits: int = 1  # 1 or 2

    def describe(self) -> str:
        return "%s at %d baud %d%s%d" % (self.port, self.baud, 8, self.parity, self.stopbits)


def open_port(settings: SerialSettings) -> serial.SerialBase:
    """An open, exclusively locked port; raises NoSuchPort, PortBusy or PortPermissionDenied."""
    if settings.parity not in PARITIES:
        raise FieldError("parity %r is not one of N, E, O" % settings.parity, "use --parity N|E|O")
    is_path = "://" not in settings.port
    if is_path and not os.path.exists(settings.port):
        raise NoSuchPort(
            "no serial port %s" % settings.port,
            "check the adapter is plugged in and the name: ls /dev/ttyUSB* /dev/ttyACM* "
            "(or python -m serial.tools.list_ports)",
        )
    lock = None
    if is_path:
        try:  # named, so a host started meanwhile says who has the port (and we say who has it)
            lock = hold_port(settings.port, "campusguard diag")
        except LockHeld as exc:
            raise PortBusy(str(exc).split(". Fix:")[0],
                           "stop it first; when it is a `campusguard run`, run diag with "
                           "--state-dir of that host to go through it") from None
    try:
        port = serial.serial_for_url(
            settings.port,
            baudrate=settings.baud,
            parity=PARITIES[settings.parity],
            stopbits=settings.stopbits,
            bytesize=8,
            timeout=0,
            exclusive=True if is_path else None,
        )
    except (serial.SerialException, OSError) as exc:
        if lock is not None:
            lock.release()
        raise _explain(settings.port, exc) from exc
    port._campusguard_lock = lock  # held as long as the port object lives (released with it)
    return port


def close_port(port: serial.SerialBase) -> None:
    """Close the port and let go of its lock (see open_port)."""
    port.close()
    lock = getattr(port, "_campusguard_lock", None)
    if lock is not None:
        lock.release()


def _explain(port: str, exc: Exception) -> FieldError:
    code = getattr(exc, "errno", None)
    text = str(exc)
    if code in (errno.EACCES, errno.EPERM) or "Permission denied" in text:
        return PortPermissionDenied(
            "permission denied opening %s" % port,
            "add yourself to the port's group and log in again: sudo usermod -aG dialout $USER "
            "(or run as a user that may open %s)" % port,
        )
    if code == errno.EBUSY or "exclusively lock" in text or "Resource temporarily" in text:
        return PortBusy(
            "serial port %s is in use by another program" % port,
            "stop the other program first (the guard-room host `campusguard run`, another diag, "
            "a terminal program); find it with: fuser -v %s" % port,
        )
    if code == errno.ENOENT or code == errno.ENXIO or code == errno.ENODEV:
        return NoSuchPort(
            "no serial port %s" % port,
            "check the adapter is plugged in and the name: ls /dev/ttyUSB* /dev/ttyACM*",
        )
    return FieldError("cannot open serial port %s: %s" % (port, text), "check the port name")
