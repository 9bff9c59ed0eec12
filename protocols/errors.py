# The typed errors of the Modbus codec (protocols/rtu.py, protocols/pdu.py). Everything the codec
# raises on bad input derives from ModbusError, so a receiver needs exactly one except clause.
#
# exception_code says what a slave answers when decoding a request fails, per the Modbus
# Application Protocol V1.1b3 §7: 0 = no reply at all (Modbus over serial line V1.02 §2.4.1: a
# frame with a framing or CRC error is discarded silently), otherwise the exception code to send.
# Runs on CPython and MicroPython: plain classes, no dataclasses/enum.

EXC_ILLEGAL_FUNCTION = 1  # function (or diagnostics sub-function, MEI type) not supported
EXC_ILLEGAL_ADDRESS = 2  # register/coil address outside the device's map
EXC_ILLEGAL_VALUE = 3  # quantity, byte count or value outside the spec's range
EXC_DEVICE_FAILURE = 4  # unrecoverable error while performing the action
EXC_BUSY = 6  # slave busy with a long command: retry later

EXCEPTION_NAMES = {
    EXC_ILLEGAL_FUNCTION: "illegal function",
    EXC_ILLEGAL_ADDRESS: "illegal data address",
    EXC_ILLEGAL_VALUE: "illegal data value",
    EXC_DEVICE_FAILURE: "server device failure",
    5: "acknowledge",
    EXC_BUSY: "server device busy",
}


class ModbusError(Exception):
    """Base of everything the codec raises on bad input."""

    exception_code = EXC_DEVICE_FAILURE


class FrameError(ModbusError):
    """The frame itself is malformed: discard it, never reply (serial line V1.02 §2.4.1)."""

    exception_code = 0


class CrcError(FrameError):
    """The CRC at the end of the frame does not match its content (line noise or a collision)."""


class TruncatedFrame(FrameError):
    """The frame or PDU ends before the fields its function code implies."""


class OversizeFrame(FrameError):
    """The frame is longer than the 256 bytes an RTU ADU may hold (serial line V1.02 §2.5.1)."""


class UnknownFunction(ModbusError):
    """A function code (or diagnostics sub-function, or MEI type) this codec does not handle."""

    exception_code = EXC_ILLEGAL_FUNCTION

    def __init__(self, function, message=None):
        if message is None:
            message = "function code 0x%02X is not supported" % (function,)
        super().__init__(message)
        self.function = function


class BadCount(ModbusError):
    """A quantity, byte count or value outside the spec's range (answered with exception 03)."""

    exception_code = EXC_ILLEGAL_VALUE


class ExceptionResponse(ModbusError):
    """The slave answered with an exception response: function | 0x80 and an exception code."""

    def __init__(self, function, code):
        name = EXCEPTION_NAMES.get(code, "unknown exception")
        super().__init__(
            "slave answered function 0x%02X with exception %d (%s)" % (function, code, name)
        )
        self.function = function
        self.code = code
        self.exception_code = code
