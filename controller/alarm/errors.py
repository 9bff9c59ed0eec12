"""Typed errors of alarm transmission."""


class AlarmError(Exception):
    """Base of the alarm transmission errors."""


class AlarmConfigError(AlarmError):
    """The [alarm] configuration is unusable; the message says which key and the fix."""


class AlarmMappingError(AlarmError):
    """An alarm report that has no DC-09 code (unknown kind) or names an unknown zone."""


class ReceiverLinkError(AlarmError):
    """No reply from a receiver: connection refused or reset, or no reply before the timeout."""


class ReceiverRejectedError(AlarmError):
    """The receiver replied but did not accept the message (NAK, DUH, unreadable reply)."""
