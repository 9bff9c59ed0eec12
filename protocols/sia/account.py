# DC-09 identifiers: account 3..16 hex digits (§5.5.1.7), receiver and line prefix 1..6 hex digits.
from protocols.sia.errors import SiaFormatError

_HEX = "0123456789ABCDEFabcdef"


def is_hex(text):
    for char in text:
        if char not in _HEX:
            return False
    return True


def check_account(account):
    if not 3 <= len(account) <= 16 or not is_hex(account):
        raise SiaFormatError(
            "DC-09 account %r must be 3 to 16 hexadecimal digits (e.g. '1234')" % (account,)
        )


def check_prefix(name, value, allow_empty):
    if value == "" and allow_empty:
        return
    if not 1 <= len(value) <= 6 or not is_hex(value):
        raise SiaFormatError("DC-09 %s %r must be 1 to 6 hexadecimal digits" % (name, value))
