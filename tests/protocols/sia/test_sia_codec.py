"""SIA DC-09 codec on CPython: golden vectors, and pysiaalarm (an independent receiver) reading
what we encode."""

import os
from datetime import UTC, datetime

import crcmod.predefined
import pytest
import sia_vectors
from hypothesis import given, settings
from hypothesis import strategies as st
from pysiaalarm import SIAAccount
from pysiaalarm.event import SIAEvent

from controller.alarm.cipher import new_cipher
from protocols.sia.contact_id import contact_id_data
from protocols.sia.crc_arc import crc16_arc
from protocols.sia.errors import SiaError
from protocols.sia.frame import PAD_ALPHABET, encode_message
from protocols.sia.reply import parse_reply
from protocols.sia.sia_dcs import sia_dcs_data


def _name(vector):
    return vector[0] if isinstance(vector[0], str) else repr(vector[0])[:30]


@pytest.mark.parametrize("vector", sia_vectors.CRC_VECTORS, ids=_name)
def test_crc_arc_vectors(vector):
    sia_vectors.check_crc(vector)


@pytest.mark.parametrize("vector", sia_vectors.FRAME_VECTORS, ids=_name)
def test_frame_golden(vector):
    sia_vectors.check_frame(vector, new_cipher)


def test_encrypted_block_is_pad_bar_data_bracket_timestamp():
    sia_vectors.check_encrypted_plaintext(new_cipher)


@pytest.mark.parametrize("vector", sia_vectors.REPLY_VECTORS, ids=_name)
def test_reply_parsing(vector):
    sia_vectors.check_reply(vector, new_cipher)


@pytest.mark.parametrize("vector", sia_vectors.BAD_REPLY_VECTORS, ids=_name)
def test_bad_replies_raise_typed_errors(vector):
    sia_vectors.check_bad_reply(vector, new_cipher)


@pytest.mark.parametrize("vector", sia_vectors.BAD_INPUT_VECTORS, ids=_name)
def test_bad_encoder_input_raises(vector):
    sia_vectors.check_bad_input(vector)


def test_misc():
    sia_vectors.check_misc()


@pytest.mark.parametrize("vector", sia_vectors.FRAME_VECTORS, ids=_name)
def test_pysiaalarm_accepts_golden_frames(vector):
    name, token, seq, account, data, receiver, prefix, key, frame = vector
    accounts = {account: SIAAccount(account, key.decode() if key else None, allowed_timeband=None)}
    event = SIAEvent.from_line(frame.decode().strip(), accounts)
    assert event.valid_message, "pysiaalarm computed another CRC"
    assert int(event.length, 16) == len(event.full_message)
    assert event.timestamp == datetime(2026, 9, 1, 8, 30, 5, tzinfo=UTC)
    assert event.sequence == f"{seq:04d}"
    assert event.account == account
    assert event.response.value == "ACK"


_CRC16_ARC = crcmod.predefined.mkCrcFun("crc-16")  # crcmod's name for CRC-16/ARC


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_crc_matches_crcmod(data):
    assert crc16_arc(data) == _CRC16_ARC(data)


_accounts = st.text("0123456789ABCDEF", min_size=3, max_size=16)
_keys = st.sampled_from([None, sia_vectors.KEY128, sia_vectors.KEY192, sia_vectors.KEY256])


@settings(max_examples=60, deadline=None)
@given(
    account=_accounts, key=_keys, seq=st.integers(1, 9999), zone=st.integers(0, 999),
    qualifier=st.sampled_from([1, 3]), event=st.sampled_from([110, 111, 120, 137, 350, 380, 601]),
    receiver=st.text("0123456789ABCDEF", max_size=6), cid=st.booleans(),
)
def test_pysiaalarm_reads_what_we_encode(account, key, seq, zone, qualifier, event, receiver, cid):
    now = datetime.now(UTC)
    if cid:
        token, data = "ADM-CID", contact_id_data(account, qualifier, event, 1, zone)
    else:
        token, data = "SIA-DCS", sia_dcs_data(account, "PA" if qualifier == 1 else "PH", zone, 3)
    frame = encode_message(token, seq, account, data, now.timetuple()[:6], receiver=receiver,
                           key=key, new_cipher=new_cipher, random_bytes=os.urandom)
    accounts = {account: SIAAccount(account, key.decode() if key else None)}
    got = SIAEvent.from_line(frame.decode().strip(), accounts)
    assert got.valid_message and got.valid_timestamp and got.response.value == "ACK"
    assert got.account == account
    assert int(got.ri) == zone
    if cid:
        assert (got.event_qualifier, got.event_type) == (str(qualifier), f"{event:03d}")
    else:
        assert got.code == ("PA" if qualifier == 1 else "PH")
    if key:
        plain = new_cipher(key).decrypt(bytes.fromhex(got.encrypted_content)).decode()
        pad = plain[: plain.index("|")]
        assert all(c in PAD_ALPHABET for c in pad)
        assert not set(pad) & set("|[]")


@settings(max_examples=400, deadline=None)
@given(st.one_of(
    st.binary(max_size=120),
    st.builds(lambda body: b"\n" + body + b"\r", st.binary(max_size=80)),
    st.sampled_from([v[1] for v in sia_vectors.REPLY_VECTORS]).flatmap(
        lambda good: st.integers(0, len(good) - 1).map(lambda cut: good[:cut])),
))
def test_garbage_replies_raise_only_sia_errors(raw):
    try:
        parse_reply(raw, sia_vectors.KEY128, new_cipher)
    except SiaError:
        pass
