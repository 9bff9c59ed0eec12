# Replies of DC-09 receivers (§5.5.2): ACK (accepted), NAK (rejected: timestamp outside the
# receiver's window, or not understood; carries the receiver's time so the transmitter can resend
# with a corrected one), DUH (understood, not processed), RSP (accepted with a response).
# Accepts what real receivers send, not only the letter of the standard:
#   "ACK"0001R1L0#1234[]                   DC-09 plain ACK
#   "ACK"0001NoneL0#1234[]                 pysiaalarm: "None" where no receiver number was given
#   "*ACK"0001L0#1234[<hex>                encrypted; pad then '|' (DC-09) or '0's (pysiaalarm)
#   "NAK"0000R0L0A0[]_HH:MM:SS,MM-DD-YYYY  DC-09 NAK; pysiaalarm also writes L0R0 (swapped order)
#   "NAK"                                  bare, unframed (pysiaalarm, unknown plain account)
from binascii import unhexlify

from protocols.sia.crc_arc import crc16_arc
from protocols.sia.errors import SiaCrcError, SiaCryptoError, SiaFormatError
from protocols.sia.timestamp import parse_timestamp

ACK = "ACK"
NAK = "NAK"
DUH = "DUH"
RSP = "RSP"
KINDS = (ACK, NAK, DUH, RSP)
_HEX = "0123456789ABCDEFabcdef"


class Reply:
    """A parsed receiver reply. timestamp is (y, mo, d, h, mi, s) UTC or None; sequence None when
    the receiver sent none; data is the (decrypted) text between '[' and ']'."""

    __slots__ = ("kind", "encrypted", "sequence", "receiver", "line", "account", "data",
                 "timestamp")

    def __init__(self, kind, encrypted, sequence, receiver, line, account, data, timestamp):
        self.kind = kind
        self.encrypted = encrypted
        self.sequence = sequence
        self.receiver = receiver
        self.line = line
        self.account = account
        self.data = data
        self.timestamp = timestamp

    def __repr__(self):
        return "Reply(%s seq=%r R=%r L=%r #%r data=%r ts=%r%s)" % (
            self.kind, self.sequence, self.receiver, self.line, self.account, self.data,
            self.timestamp, " encrypted" if self.encrypted else "",
        )


def _hex_run(text, start):
    end = start
    while end < len(text) and text[end] in _HEX:
        end += 1
    return end


def _unframe(text):
    """The body after CRC and length, checked; an unframed reply ('"NAK"') is returned as is."""
    if text[0] == '"':
        return text
    if len(text) < 9 or _hex_run(text, 0) < 8:
        raise SiaFormatError("reply %r does not start with CRC and length (8 hex digits)" % text)
    body = text[8:]
    sent_crc = int(text[0:4], 16)
    crc = crc16_arc(body.encode())
    if crc != sent_crc:
        raise SiaCrcError("reply %r: CRC %04X sent, %04X computed" % (text, sent_crc, crc))
    if int(text[4:8], 16) != len(body):
        raise SiaFormatError("reply %r: length %s sent, %d computed" % (text, text[4:8], len(body)))
    return body


def _decrypt(hex_text, key, new_cipher):
    if key is None or new_cipher is None:
        raise SiaCryptoError("encrypted reply but no AES key configured for this receiver")
    try:
        raw = unhexlify(hex_text)
    except ValueError:
        raise SiaCryptoError("encrypted reply is not hexadecimal: %r" % hex_text) from None
    if not raw or len(raw) % 16:
        raise SiaCryptoError("encrypted reply is not a whole number of AES blocks: %r" % hex_text)
    plain = new_cipher(key).decrypt(raw)
    for byte in plain:
        if byte < 0x20 or byte > 0x7E:
            raise SiaCryptoError(
                "encrypted reply does not decrypt to text with our key: the receiver uses a "
                "different AES key"
            )
    text = plain.decode()
    close = text.find("]")
    if close < 0:
        raise SiaCryptoError("decrypted reply has no ']': the receiver uses a different AES key")
    head = text[:close]
    bar = head.find("|")
    # DC-09: pad '|' data; pysiaalarm fills with '0's and no '|' (no data in an ACK)
    return (head[bar + 1:] if bar >= 0 else "") + text[close:]


def parse_reply(raw, key=None, new_cipher=None):
    """A Reply from the bytes a receiver sent (LF/CR, NULs and spaces around are ignored).

    Raises SiaFormatError (SiaCrcError) for garbage or an empty reply, SiaCryptoError when an
    encrypted reply cannot be read with `key`."""
    if isinstance(raw, (bytes, bytearray)):
        try:
            raw = raw.decode()
        except (UnicodeError, ValueError):
            raise SiaFormatError("reply is not text: %r" % (bytes(raw),)) from None
    text = raw.strip("\n\r\x00 ")
    if not text:
        raise SiaFormatError(
            "empty reply: the receiver could not read the frame (CRC, length or format)"
        )
    body = _unframe(text)
    if body[0] != '"' or body.find('"', 1) < 0:
        raise SiaFormatError("reply %r has no quoted ID" % text)
    end = body.find('"', 1)
    token = body[1:end]
    encrypted = token.startswith("*")
    kind = token[1:] if encrypted else token
    if kind not in KINDS:
        raise SiaFormatError("reply %r: unknown ID %r (expected ACK, NAK, DUH or RSP)" % (text, kind))
    rest = body[end + 1:]
    sequence = None
    if len(rest) >= 4 and rest[:4].isdigit():
        sequence = int(rest[:4])
        rest = rest[4:]
    fields = {"R": "", "L": "", "A": "", "#": ""}
    bracket = rest.find("[")
    header = rest if bracket < 0 else rest[:bracket]
    split = header.rfind("A")
    if "#" not in header and split > 0 and header[split + 1:].isdigit():
        # NAK "R0L0A0": 'A' is hex too, so split the account off before reading R and L
        fields["A"] = header[split + 1:]
        rest = header[:split] + rest[len(header):]
    while rest and rest[0] != "[":
        if rest.startswith("None"):
            rest = rest[4:]
            continue
        name = rest[0]
        if name not in fields:
            raise SiaFormatError("reply %r: unexpected %r before '['" % (text, rest))
        stop = _hex_run(rest, 1)
        fields[name] = rest[1:stop]
        rest = rest[stop:]
    data = ""
    timestamp = None
    if rest:
        rest = rest[1:]
        if encrypted:
            rest = _decrypt(rest.strip(), key, new_cipher)
        close = rest.find("]")
        if close < 0:
            raise SiaFormatError("reply %r: '[' without ']'" % text)
        data = rest[:close]
        rest = rest[close + 1:]
        while rest.startswith("["):
            close = rest.find("]")
            if close < 0:
                raise SiaFormatError("reply %r: extended data '[' without ']'" % text)
            rest = rest[close + 1:]
        if rest.startswith("_"):
            timestamp = parse_timestamp(rest)
        elif rest:
            raise SiaFormatError("reply %r: unexpected %r after the data" % (text, rest))
    account = fields["#"] or fields["A"]
    return Reply(kind, encrypted, sequence, fields["R"], fields["L"], account, data, timestamp)
