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
    """The receiver replied but did not accept the message (NAK, DUH, unreadable reply).

    message_specific: the refusal is about this message (DUH: read but not processed), not
    about the link, key or account (which would refuse every message alike)."""

    def __init__(self, text: str, message_specific: bool = False) -> None:
        super().__init__(text)
        self.message_specific = message_specific
