"""Typed errors of the campus uplink."""


class UplinkError(Exception):
    """Base of the uplink errors."""


class UplinkConfigError(UplinkError):
    """The [uplink] section is unusable; the message says which key and the fix."""
