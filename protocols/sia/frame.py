# DC-09 message frames (ANSI/SIA DC-09-2013 §5.5):
#   LF CRC(4 hex) 0LLL(4 hex) "ID" seq(4 dec) [Rrcvr] Lpref #acct [data] _HH:MM:SS,MM-DD-YYYY CR
# CRC-16/ARC and the length cover everything from the first '"' up to (not including) the CR.
# Encrypted (§5.5.1.10): '*' before the ID; after '[' comes the hex of AES-CBC (zero IV) over
#   pad + '|' + data + ']' + timestamp, the random pad (never '|', '[' or ']') filling it to 16 bytes.
# The AES cipher is passed in as new_cipher(key) -> object with encrypt(b)/decrypt(b) (pycryptodome's
# AES.new(key, AES.MODE_CBC, iv=bytes(16)) on CPython, cryptolib.aes(key, 2, bytes(16)) on
# MicroPython); a fresh cipher is made for every message because CBC objects carry state.
from binascii import hexlify

from protocols.sia.account import check_account, check_prefix
from protocols.sia.crc_arc import crc16_arc
from protocols.sia.errors import SiaFormatError
from protocols.sia.timestamp import format_timestamp

NULL_TOKEN = "NULL"  # link test (supervision); the receiver ACKs it like an event
MIN_SEQUENCE = 1
MAX_SEQUENCE = 9999  # §5.5.1.5: 0001..9999, then wraps to 0001
KEY_LENGTHS = (16, 24, 32)  # AES-128/192/256
# Pad alphabet: printable, never '|', '[' or ']' (they delimit the data inside the encrypted block)
PAD_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def next_sequence(sequence):
    """The sequence number after `sequence`: 9999 wraps to 0001."""
    return MIN_SEQUENCE if sequence >= MAX_SEQUENCE else sequence + 1


def check_key(key):
    if len(key) not in KEY_LENGTHS:
        raise SiaFormatError(
            "AES key must be 16, 24 or 32 bytes (AES-128/192/256), not %d" % len(key)
        )


def pad_text(random_bytes, count):
    """`count` random pad characters from PAD_ALPHABET; random_bytes(n) -> n random bytes."""
    if count == 0:
        return ""
    raw = random_bytes(count)
    size = len(PAD_ALPHABET)
    return "".join([PAD_ALPHABET[raw[i] % size] for i in range(count)])


def add_frame(body):
    """LF + CRC + length + body + CR, body being the bytes from the first '"' on."""
    return b"\n" + ("%04X%04X" % (crc16_arc(body), len(body))).encode() + body + b"\r"


def encode_message(token, sequence, account, data, timestamp, receiver="", prefix="0",
                   key=None, new_cipher=None, random_bytes=None):
    """One DC-09 frame (bytes, LF..CR).

    token: "ADM-CID", "SIA-DCS" or "NULL"; data: the payload between '[' and ']' (for NULL, "");
    timestamp: UTC (year, month, day, hour, minute, second); receiver: R number ("" = none);
    prefix: L number; key: AES key bytes or None for a plain frame.
    """
    if not MIN_SEQUENCE <= sequence <= MAX_SEQUENCE:
        raise SiaFormatError("DC-09 sequence must be 0001..9999, not %r" % (sequence,))
    check_account(account)
    check_prefix("receiver number", receiver, True)
    check_prefix("line prefix", prefix, False)
    for char in "[]":
        if char in data:
            raise SiaFormatError("DC-09 data must not contain %r: %r" % (char, data))
    head = '"%s%s"%04d%sL%s#%s[' % (
        "*" if key else "", token, sequence, "R" + receiver if receiver else "", prefix,
        account.upper(),
    )
    tail = data + "]" + format_timestamp(timestamp)
    if key:
        check_key(key)
        if new_cipher is None or random_bytes is None:
            raise SiaFormatError("an encrypted frame needs new_cipher and random_bytes")
        count = (16 - (len(tail) + 1) % 16) % 16
        block = (pad_text(random_bytes, count) + "|" + tail).encode()
        tail = hexlify(new_cipher(key).encrypt(block)).decode().upper()
    return add_frame((head + tail).encode())
