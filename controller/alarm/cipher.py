"""AES-CBC with the zero IV of SIA DC-09, from pycryptodome, in the shape protocols/sia expects."""

from Crypto.Cipher import AES

_ZERO_IV = bytes(16)  # DC-09 §5.5.1.10: CBC with an all-zero initialisation vector


def new_cipher(key: bytes):  # noqa: ANN201 - pycryptodome's CBC object
    """A fresh AES-CBC cipher (CBC objects carry state: one per message)."""
    return AES.new(key, AES.MODE_CBC, iv=_ZERO_IV)
