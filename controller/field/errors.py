"""Typed failures of the field tools. Each carries what went wrong and the fix, for a person
standing at a cabinet with a laptop; the CLI prints both and exits non-zero."""

from __future__ import annotations


class FieldError(Exception):
    """Base of every field-tool failure: `message` says what is wrong, `hint` the fix."""

    exit_code = 1
    kind = "error"
    prefix = "error"  # how the message starts on stderr

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def as_dict(self) -> dict:
        return {"ok": False, "error": self.kind, "message": self.message, "hint": self.hint}


class NoSuchPort(FieldError):
    kind = "no_such_port"
    exit_code = 3


class PortBusy(FieldError):
    kind = "port_busy"
    exit_code = 4


class PortPermissionDenied(FieldError):
    kind = "permission_denied"
    exit_code = 5


class NoDevice(FieldError):
    """Nothing answered a request: no device at that address, or nothing on the line."""

    kind = "no_device"
    exit_code = 6


class WrongBaud(FieldError):
    """Bytes came back garbled, or the unit answered at another speed."""

    kind = "wrong_baud"
    exit_code = 7


class DeviceRefused(FieldError):
    """The device answered with a Modbus exception."""

    kind = "device_exception"
    exit_code = 8

    def __init__(self, message: str, hint: str = "", code: int = 0) -> None:
        super().__init__(message, hint)
        self.code = code


class SiteInvalid(FieldError):
    """The site file has problems (every one listed, with its line and fix): refused, exit 1 as
    `campusguard site check`, `run` and `sim up` refuse it."""

    kind = "site_invalid"
    exit_code = 1


class UsageError(FieldError):
    """The command line asks for something that cannot be done (unknown register, read-only...)."""

    kind = "usage"
    exit_code = 2


class NotConfirmed(FieldError):
    """The technician did not confirm a write (answered no, or no terminal and no --yes): not an
    error of the tool, a refusal, exit 1 as every refusal of the CLI."""

    kind = "not_written"
    exit_code = 1
    prefix = "not written"


class FlashError(FieldError):
    kind = "flash_failed"
    exit_code = 10


class ProofFailed(FieldError):
    kind = "proof_failed"
    exit_code = 11
