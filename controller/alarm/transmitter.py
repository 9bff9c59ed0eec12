"""One receiver's DC-09 transmitter: frame a message, send it, read ACK/NAK/DUH.

NAK with a timestamp that shows our clock outside the receiver's window (DC-09 §5.5.2.2: it
accepts −40 s..+20 s) -> adopt the receiver's time as an offset and resend at once with the
corrected timestamp, reporting the correction. Every other refusal raises ReceiverRejectedError
with the likely cause and the fix; no reply raises ReceiverLinkError.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from controller.alarm.cipher import new_cipher as default_new_cipher
from controller.alarm.config import ReceiverConfig
from controller.alarm.errors import ReceiverRejectedError
from controller.alarm.event_mapping import AlarmMessage
from controller.alarm.receiver_link import TcpLink, UdpLink
from protocols.sia.contact_id import contact_id_data
from protocols.sia.errors import SiaCryptoError, SiaFormatError
from protocols.sia.frame import NULL_TOKEN, encode_message, next_sequence
from protocols.sia.reply import ACK, DUH, NAK, RSP, Reply, parse_reply
from protocols.sia.sia_dcs import sia_dcs_data

# DC-09 receivers accept timestamps from 40 s before to 20 s after their own clock
WINDOW_BEFORE_S = 40.0
WINDOW_AFTER_S = 20.0
_SLACK_S = 2.0  # transit time and whole-second rounding of the two timestamps

Clock = Callable[[], datetime]
Notify = Callable[[str, str, dict[str, Any]], None]


def utc_now() -> datetime:
    return datetime.now(UTC)


def _as_datetime(when: tuple[int, ...]) -> datetime:
    return datetime(*when[:6], tzinfo=UTC)


class ReceiverTransmitter:
    """Sends frames to one receiver, one exchange at a time."""

    def __init__(
        self,
        config: ReceiverConfig,
        role: str,
        ack_timeout_s: float = 5.0,
        clock: Clock = utc_now,
        new_cipher: Callable[[bytes], Any] = default_new_cipher,
        random_bytes: Callable[[int], bytes] = os.urandom,
        on_clock_corrected: Notify | None = None,
    ) -> None:
        self.config = config
        self.role = role  # "primary" or "backup N", for messages
        self._timeout_s = ack_timeout_s
        self.clock = clock
        self.clock_offset = timedelta(0)  # receiver time minus our clock, learnt from NAKs
        self._new_cipher = new_cipher
        self._random_bytes = random_bytes
        self._on_clock_corrected = on_clock_corrected
        self._null_sequence = 0
        self._lock = asyncio.Lock()
        link = TcpLink if config.protocol == "tcp" else UdpLink
        self.link = link(config.host, config.port)

    @property
    def name(self) -> str:
        return f"{self.role} {self.config.name}"

    def event_data(self, message: AlarmMessage) -> tuple[str, str]:
        """(token, data) for an alarm message in this receiver's format."""
        account = self.config.account
        if self.config.format == "SIA-DCS":
            return "SIA-DCS", sia_dcs_data(account, message.sia_code, message.zone, message.user)
        return "ADM-CID", contact_id_data(
            account, message.qualifier, message.event, message.group, message.zone
        )

    async def send_event(self, message: AlarmMessage, sequence: int) -> Reply:
        token, data = self.event_data(message)
        return await self._send(token, data, sequence)

    async def send_null(self) -> Reply:
        """A NULL link test (supervision)."""
        self._null_sequence = next_sequence(self._null_sequence)
        return await self._send(NULL_TOKEN, "", self._null_sequence)

    async def close(self) -> None:
        await self.link.close()

    async def _send(self, token: str, data: str, sequence: int) -> Reply:
        async with self._lock:
            reply = await self._exchange(token, data, sequence)
            if reply[0].kind == NAK and self._clock_was_rejected(*reply):
                reply = await self._exchange(token, data, sequence)
        return self._accept(*reply, sequence)

    async def _exchange(self, token: str, data: str, sequence: int) -> tuple[Reply, datetime]:
        sent_at = self.clock() + self.clock_offset
        frame = encode_message(
            token, sequence, self.config.account, data, sent_at.timetuple()[:6],
            receiver=self.config.receiver, prefix=self.config.prefix, key=self.config.key_bytes,
            new_cipher=self._new_cipher, random_bytes=self._random_bytes,
        )
        raw = await self.link.exchange(frame, self._timeout_s)
        try:
            reply = parse_reply(raw, self.config.key_bytes, self._new_cipher)
        except SiaCryptoError as error:
            raise ReceiverRejectedError(
                f"{self.name}: {error}. Fix: set the receiver's key in [[alarm.receivers]] to the "
                "key registered at the alarm receiving centre."
            ) from error
        except SiaFormatError as error:
            raise ReceiverRejectedError(f"{self.name}: unreadable reply {raw!r}: {error}") from error
        return reply, sent_at

    def _clock_was_rejected(self, reply: Reply, sent_at: datetime) -> bool:
        """On a NAK carrying the receiver's time: was our timestamp outside its window?"""
        if reply.timestamp is None:
            return False
        receiver_time = _as_datetime(reply.timestamp)
        skew = (receiver_time - sent_at).total_seconds()  # > 0: we are behind
        if -WINDOW_AFTER_S + _SLACK_S < skew < WINDOW_BEFORE_S - _SLACK_S:
            return False  # our time was acceptable: the NAK is about something else
        self.clock_offset += timedelta(seconds=skew)
        if self._on_clock_corrected is not None:
            self._on_clock_corrected(
                f"{self.name} rejected our timestamp (NAK): the host clock is "
                f"{abs(skew):.0f} s {'behind' if skew > 0 else 'ahead of'} the receiver, outside "
                f"its -{WINDOW_BEFORE_S:g}/+{WINDOW_AFTER_S:g} s window; resending with the "
                "receiver's time. Fix: synchronise the host clock (NTP).",
                {"receiver": self.config.name, "skew_s": round(skew, 1)},
            )
        return True

    def _accept(self, reply: Reply, sent_at: datetime, sequence: int) -> Reply:
        config = self.config
        if reply.kind in (ACK, RSP):
            if reply.sequence is not None and reply.sequence != sequence:
                raise ReceiverRejectedError(
                    f"{self.name}: ACK for sequence {reply.sequence:04d}, sent {sequence:04d}"
                )
            return reply
        if reply.kind == DUH:
            raise ReceiverRejectedError(
                f"{self.name} answered DUH: it read the message but did not process it "
                f"(unknown event code or account {config.account!r}). Fix: check the account "
                "and the payload format (ADM-CID / SIA-DCS) with the alarm receiving centre.",
                message_specific=True,
            )
        if reply.timestamp is None:
            raise ReceiverRejectedError(
                f"{self.name} answered NAK without a timestamp: it does not know account "
                f"{config.account!r} (or expects an encrypted link). Fix: check the account and "
                "key in [[alarm.receivers]] against the alarm receiving centre."
            )
        skew = (_as_datetime(reply.timestamp) - sent_at).total_seconds()
        if abs(skew) >= WINDOW_BEFORE_S:
            raise ReceiverRejectedError(
                f"{self.name} answered NAK again after a timestamp correction (skew {skew:.0f} s)."
                " Fix: synchronise the host clock (NTP)."
            )
        raise ReceiverRejectedError(
            f"{self.name} answered NAK to a message with a valid timestamp: it could not read it"
            f" — {'wrong AES key' if config.key else 'it expects an encrypted link'} or unknown "
            f"account {config.account!r}. Fix: check key and account in [[alarm.receivers]]."
        )
