"""Typed failures of a bus transaction."""


class BusError(Exception):
    """Base of every bus failure."""


class DeviceTimeout(BusError):
    """No (valid) response within the computed timeout: device dead, unplugged or the frame was garbled."""


class DeviceRefused(BusError):
    """The device answered with a Modbus exception response."""

    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.code = code  # Modbus exception code (1 illegal function, 2 address, 3 value, 4 failure)


class BusUnavailable(BusError):
    """The serial port cannot be opened or vanished (USB adapter pulled); the scheduler reopens it."""
