# Golden vectors for the SIA DC-09 codec, shared by pytest (CPython + pycryptodome) and the
# MicroPython runner (cryptolib). Pure: no typing, dataclasses or enum.
# Frames were cross-checked against pysiaalarm 3.2.2 (an independent DC-09 receiver): it accepts
# each one (CRC, length, account, code, zone, timestamp) - see test_sia_codec.py.
from protocols.sia.contact_id import contact_id_data
from protocols.sia.crc_arc import crc16_arc
from protocols.sia.errors import SiaCrcError, SiaCryptoError, SiaFormatError
from protocols.sia.frame import encode_message, next_sequence
from protocols.sia.reply import parse_reply
from protocols.sia.sia_dcs import sia_dcs_data
from protocols.sia.timestamp import format_timestamp, parse_timestamp

T = (2026, 9, 1, 8, 30, 5)  # 08:30:05 UTC, 1 September 2026
KEY128 = b"0123456789abcdef"
KEY192 = b"0123456789abcdef01234567"
KEY256 = b"0123456789abcdef0123456789abcdef"


def counting_bytes(n):
    """Deterministic 'random' pad source for golden vectors."""
    return bytes(range(n))


# (catalogue check values: CRC-16/ARC check = 0xBB3D)
CRC_VECTORS = [
    (b"123456789", 0xBB3D),
    (b"", 0x0000),
    (b'"ADM-CID"0001L0#1234[#1234|1120 01 003]_08:30:05,09-01-2026', 0x2CF1),
]

# (name, token, sequence, account, data, receiver, prefix, key, expected frame)
FRAME_VECTORS = [
    ("adm-cid panic plain", "ADM-CID", 1, "1234", contact_id_data("1234", 1, 120, 1, 3), "", "0",
     None, b'\n2CF1003B"ADM-CID"0001L0#1234[#1234|1120 01 003]_08:30:05,09-01-2026\r'),
    ("sia-dcs closing with user, R and L", "SIA-DCS", 9999, "ABC123",
     sia_dcs_data("ABC123", "CL", 2, 4), "12", "3", None,
     b'\n45400045"SIA-DCS"9999R12L3#ABC123[#ABC123|Nid4/ri2/CL002]_08:30:05,09-01-2026\r'),
    ("null link test", "NULL", 42, "1234", "", "1", "0", None,
     b'\nA3880029"NULL"0042R1L0#1234[]_08:30:05,09-01-2026\r'),
    ("adm-cid fire restore aes-128", "ADM-CID", 2, "1234", contact_id_data("1234", 3, 110, 1, 7),
     "", "0", KEY128,
     b'\n26840076"*ADM-CID"0002L0#1234[47A42732235A4ED4794288F6EE7C75A017B61962DC1ECDF5304ED'
     b'8434547F688C374FE53F480718EEB54D9AF67587E00\r'),
    ("adm-cid fire restore aes-192", "ADM-CID", 2, "1234", contact_id_data("1234", 3, 110, 1, 7),
     "", "0", KEY192,
     b'\n9D060076"*ADM-CID"0002L0#1234[52F01F72440B17486F7DEBB8F4880AEF0AF4E0679B083DAAA041B'
     b'B8C2CCE5A34EB78B81D036A3045497F06553FD6D488\r'),
    ("adm-cid fire restore aes-256", "ADM-CID", 2, "1234", contact_id_data("1234", 3, 110, 1, 7),
     "", "0", KEY256,
     b'\n27200076"*ADM-CID"0002L0#1234[CFDC6D9314CEE152E783DE62BAEBEDFD92F55B2D6143B742C1285'
     b'3EA0A88A516C5271182E87DAC9F0E3DAF1745B7BC99\r'),
]

# Plaintext of the AES-128 frame above: pad (never | [ ]), '|', data, ']', timestamp; 48 bytes
ENCRYPTED_PLAINTEXT = b"012345678|#1234|3110 01 007]_08:30:05,09-01-2026"

# (name, raw reply, key, (kind, sequence, receiver, line, account, data, timestamp, encrypted))
REPLY_VECTORS = [
    ("dc-09 ack", b'\n57250014"ACK"0003R1L1#AB12[]\r', None,
     ("ACK", 3, "1", "1", "AB12", "", None, False)),
    ("pysiaalarm ack without receiver (None)", b'\n64D30016"ACK"0007NoneL0#1234[]\r', None,
     ("ACK", 7, "", "0", "1234", "", None, False)),
    ("pysiaalarm duh", b'\n428B0016"DUH"0005NoneL0#1234[]\r', None,
     ("DUH", 5, "", "0", "1234", "", None, False)),
    ("dc-09 nak with time", b'\nB5820025"NAK"0000R0L0A0[]_08:31:10,09-01-2026\r', None,
     ("NAK", 0, "0", "0", "0", "", (2026, 9, 1, 8, 31, 10), False)),
    ("pysiaalarm nak with None", b'\n96850027"NAK"0000NoneL0A0[]_08:31:10,09-01-2026\r', None,
     ("NAK", 0, "", "0", "0", "", (2026, 9, 1, 8, 31, 10), False)),
    ("pysiaalarm format-error nak (L before R)",
     b'\nB2040025"NAK"0000L0R0A0[]_16:18:31,11-22-2026\r', None,
     ("NAK", 0, "0", "0", "0", "", (2026, 11, 22, 16, 18, 31), False)),
    ("pysiaalarm bare nak (unknown plain account)", b'"NAK"', None,
     ("NAK", None, "", "", "", "", None, False)),
    ("pysiaalarm encrypted ack (zero fill, no '|')",
     b'\nC4290056"*ACK"0002NoneL0#1234[9C8C047A7B04979157351B1687F5D4C6995C2A59EBC77CD27E3D2B6'
     b'2CB0B8EEF\r', KEY128,
     ("ACK", 2, "", "0", "1234", "", (2026, 11, 22, 16, 18, 26), True)),
    ("dc-09 encrypted ack (pad '|')",
     b'\n84C00054"*ACK"0002R1L0#1234[F46407C13B749C65F080A381CD1487B6F14F2583CB372DF99550DC0F'
     b'76513F5A\r', KEY256,
     ("ACK", 2, "1", "0", "1234", "", (2026, 9, 1, 8, 30, 6), True)),
]

# (name, raw reply, key, expected error class)
BAD_REPLY_VECTORS = [
    ("empty (pysiaalarm after a CRC error)", b"\n\r", None, SiaFormatError),
    ("wrong crc", b'\n57260014"ACK"0003R1L1#AB12[]\r', None, SiaCrcError),
    ("wrong length", b'\n57250015"ACK"0003R1L1#AB12[]\r', None, SiaFormatError),
    ("unknown id", b'\n' + b'0000' + b'0005"XYZ"', None, SiaFormatError),
    ("garbage", b"hello", None, SiaFormatError),
    ("encrypted ack, wrong key",
     b'\nC4290056"*ACK"0002NoneL0#1234[9C8C047A7B04979157351B1687F5D4C6995C2A59EBC77CD27E3D2B6'
     b'2CB0B8EEF\r', KEY256, SiaCryptoError),
    ("encrypted ack, no key",
     b'\nC4290056"*ACK"0002NoneL0#1234[9C8C047A7B04979157351B1687F5D4C6995C2A59EBC77CD27E3D2B6'
     b'2CB0B8EEF\r', None, SiaCryptoError),
]

# (name, callable raising) for encoder input checks
def _bad_sequence():
    encode_message("NULL", 0, "1234", "", T)


def _bad_account():
    encode_message("NULL", 1, "12", "", T)


def _bad_key():
    encode_message("NULL", 1, "1234", "", T, key=b"short", new_cipher=None, random_bytes=None)


def _bracket_in_data():
    encode_message("SIA-DCS", 1, "1234", "#1234|NPA]x", T)


def _bad_qualifier():
    contact_id_data("1234", 2, 120, 1, 1)


def _bad_timestamp():
    parse_timestamp("_25:00:00,01-01-2026")


BAD_INPUT_VECTORS = [
    ("sequence 0", _bad_sequence), ("account too short", _bad_account), ("key 5 bytes", _bad_key),
    ("']' in data", _bracket_in_data), ("qualifier 2", _bad_qualifier),
    ("hour 25", _bad_timestamp),
]


def _check(condition, what):
    if not condition:
        raise AssertionError(what)


def check_crc(vector):
    data, expected = vector
    _check(crc16_arc(data) == expected, "crc of %r: %04X" % (data, crc16_arc(data)))


def check_frame(vector, new_cipher):
    name, token, seq, account, data, receiver, prefix, key, expected = vector
    got = encode_message(token, seq, account, data, T, receiver=receiver, prefix=prefix, key=key,
                         new_cipher=new_cipher, random_bytes=counting_bytes)
    _check(got == expected, "%s: %r" % (name, got))


def check_encrypted_plaintext(new_cipher):
    frame = FRAME_VECTORS[3][-1]
    hex_part = frame[frame.index(b"[") + 1:-1]
    from binascii import unhexlify
    plain = new_cipher(KEY128).decrypt(unhexlify(hex_part))
    _check(plain == ENCRYPTED_PLAINTEXT, "plaintext %r" % plain)
    _check(len(plain) % 16 == 0, "not whole blocks")


def check_reply(vector, new_cipher):
    name, raw, key, expected = vector
    r = parse_reply(raw, key, new_cipher)
    got = (r.kind, r.sequence, r.receiver, r.line, r.account, r.data, r.timestamp, r.encrypted)
    _check(got == expected, "%s: %r" % (name, got))


def check_bad_reply(vector, new_cipher):
    name, raw, key, error = vector
    try:
        parse_reply(raw, key, new_cipher)
    except error:
        return
    except Exception as other:  # report the wrong class
        raise AssertionError("%s: raised %r, expected %s" % (name, other, error.__name__)) from None
    raise AssertionError("%s: no error, expected %s" % (name, error.__name__))


def check_bad_input(vector):
    name, call = vector
    try:
        call()
    except SiaFormatError:
        return
    raise AssertionError("%s: no SiaFormatError" % name)


def check_misc():
    _check(next_sequence(9999) == 1 and next_sequence(1) == 2, "sequence wrap")
    _check(format_timestamp(T) == "_08:30:05,09-01-2026", "timestamp format")
    _check(parse_timestamp("_08:30:05,09-01-2026") == T, "timestamp parse")


def run_all(new_cipher, key_lengths=(16, 24, 32)):
    """(passed, failures, skipped) over every vector; frames whose AES key length the cipher
    cannot do (MicroPython's cryptolib has no AES-192) are skipped and counted."""
    checks = []
    skipped = 0
    for v in CRC_VECTORS:
        checks.append(lambda v=v: check_crc(v))
    for v in FRAME_VECTORS:
        if v[7] is not None and len(v[7]) not in key_lengths:
            skipped += 1
            continue
        checks.append(lambda v=v: check_frame(v, new_cipher))
    checks.append(lambda: check_encrypted_plaintext(new_cipher))
    for v in REPLY_VECTORS:
        checks.append(lambda v=v: check_reply(v, new_cipher))
    for v in BAD_REPLY_VECTORS:
        checks.append(lambda v=v: check_bad_reply(v, new_cipher))
    for v in BAD_INPUT_VECTORS:
        checks.append(lambda v=v: check_bad_input(v))
    checks.append(check_misc)
    passed = 0
    failures = []
    for check in checks:
        try:
            check()
            passed += 1
        except Exception as error:  # a runner collects every failure
            failures.append(repr(error))
    return passed, failures, skipped
