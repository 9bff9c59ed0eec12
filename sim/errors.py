"""Typed errors of the simulator. Each message says what is wrong and how to fix it."""


class SimError(Exception):
    """Base of every error the simulator raises on purpose."""


class SiteFileError(SimError):
    """The site file cannot be used by the simulator (names the file and the key)."""


class ProfileError(SimError):
    """A third-party device profile is missing or malformed."""


class InjectError(SimError):
    """A fault or plant injection names something that does not exist or a bad value."""


class SimNotRunning(SimError):
    """No simulator answers on the control socket of the state directory."""


class DeviceStartError(SimError):
    """A device process did not boot in time."""
