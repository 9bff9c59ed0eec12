# Typed errors of the SIA DC-09 codec. Plain classes so they also run on MicroPython.


class SiaError(Exception):
    """Base of everything the SIA codec raises."""


class SiaFormatError(SiaError):
    """A frame or reply that does not follow DC-09 (or a value that cannot be encoded)."""


class SiaCrcError(SiaFormatError):
    """The CRC-16/ARC in a frame does not match its contents."""


class SiaCryptoError(SiaError):
    """An encrypted block that cannot be decrypted with the key given (wrong key or no key)."""
