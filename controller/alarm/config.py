"""Alarm transmission settings: the site file's [alarm] table as frozen dataclasses."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from controller.alarm.errors import AlarmConfigError
from protocols.sia.account import is_hex

FORMATS = ("ADM-CID", "SIA-DCS")
DEFAULT_GROUP = "police"  # no `group`: the police alarm receiving centre, as before groups
GROUP_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
PROTOCOLS = ("tcp", "udp")


@dataclass(frozen=True)
class ReceiverConfig:
    """One alarm receiving centre receiver ([[alarm.receivers]]); within its group the first is
    the primary path, the others are backups. Every alarm goes to every group."""

    host: str  # receiver address
    port: int  # receiver TCP or UDP port
    protocol: str = "tcp"  # "tcp" or "udp"
    account: str = ""  # DC-09 account, 3..16 hex digits, as registered at the ARC
    key: str = ""  # AES key text: 16, 24 or 32 characters (AES-128/192/256); "" = plain
    receiver: str = ""  # optional DC-09 R number (hex); "" = none sent
    prefix: str = "0"  # DC-09 L (line) prefix, hex
    format: str = "ADM-CID"  # payload: "ADM-CID" (Contact ID) or "SIA-DCS"
    group: str = DEFAULT_GROUP  # receiver group: "police", "education", ...

    @property
    def name(self) -> str:
        return f"{self.host}:{self.port}/{self.protocol}#{self.account}"

    @property
    def key_bytes(self) -> bytes | None:
        return self.key.encode() if self.key else None

    def check(self, where: str) -> None:
        """Raise AlarmConfigError naming the key and the fix."""
        if self.protocol not in PROTOCOLS:
            raise AlarmConfigError(
                f"{where}.protocol = {self.protocol!r}: must be 'tcp' or 'udp'. "
                "Fix: use the transport the alarm receiving centre gave you."
            )
        if not 1 <= self.port <= 65535:
            raise AlarmConfigError(f"{where}.port = {self.port}: must be 1..65535.")
        if not 3 <= len(self.account) <= 16 or not is_hex(self.account):
            raise AlarmConfigError(
                f"{where}.account = {self.account!r}: must be 3 to 16 hexadecimal digits. "
                "Fix: use the account number the alarm receiving centre registered for the site."
            )
        if self.key and len(self.key.encode()) not in (16, 24, 32):
            raise AlarmConfigError(
                f"{where}.key has {len(self.key)} characters: must be 16, 24 or 32 "
                "(AES-128/192/256), or empty for a plain link. Fix: copy the key from the ARC."
            )
        if self.receiver and (len(self.receiver) > 6 or not is_hex(self.receiver)):
            raise AlarmConfigError(f"{where}.receiver = {self.receiver!r}: 1 to 6 hex digits or ''.")
        if not 1 <= len(self.prefix) <= 6 or not is_hex(self.prefix):
            raise AlarmConfigError(f"{where}.prefix = {self.prefix!r}: must be 1 to 6 hex digits.")
        if not GROUP_NAME.match(self.group):
            raise AlarmConfigError(
                f"{where}.group = {self.group!r}: 1 to 32 lower-case letters, digits, '-' or '_' "
                '(e.g. "police", "education").'
            )
        if self.format not in FORMATS:
            raise AlarmConfigError(
                f"{where}.format = {self.format!r}: must be 'ADM-CID' or 'SIA-DCS'."
            )


@dataclass(frozen=True)
class AlarmConfig:
    """Everything AlarmService needs; zones and users give the DC-09 zone and user numbers."""

    receivers: tuple[ReceiverConfig, ...]  # per group: primary first, then backups (dual path)
    zones: tuple[str, ...] = ()  # site zone names in file order: zone N is the N-th (1-based)
    users: tuple[str, ...] = ()  # site user names in file order: user N is the N-th (1-based)
    supervision_s: float = 60.0  # NULL link test per receiver at this interval; 0 = off
    ack_timeout_s: float = 5.0  # wait this long for ACK/NAK/DUH after each frame
    retries: int = 2  # resends on one receiver before trying the next
    backoff_s: float = 0.5  # first pause between resends; doubles each time
    outage_backoff_max_s: float = 10.0  # longest pause between rounds while every path is down

    def __post_init__(self) -> None:
        if not self.receivers:
            raise AlarmConfigError(
                "alarm.receivers is empty. Fix: add at least one [[alarm.receivers]] table "
                "(host, port, protocol, account) for the alarm receiving centre."
            )
        for index, receiver in enumerate(self.receivers):
            receiver.check(f"alarm.receivers[{index}]")
        if self.ack_timeout_s <= 0 or self.retries < 0 or self.backoff_s < 0:
            raise AlarmConfigError("alarm: ack_timeout_s must be > 0, retries and backoff_s >= 0.")
        if self.supervision_s < 0:
            raise AlarmConfigError("alarm.supervision_s must be >= 0 (0 turns supervision off).")

    @property
    def groups(self) -> dict[str, tuple[ReceiverConfig, ...]]:
        """Receiver groups in file order of their first receiver; each group's paths in order."""
        out: dict[str, list[ReceiverConfig]] = {}
        for receiver in self.receivers:
            out.setdefault(receiver.group, []).append(receiver)
        return {name: tuple(paths) for name, paths in out.items()}

    @classmethod
    def from_table(
        cls, table: Mapping[str, Any], zones: Sequence[str] = (), users: Sequence[str] = ()
    ) -> AlarmConfig:
        """From the raw [alarm] TOML table (a dict), with the site's zone and user order."""
        receivers = tuple(
            ReceiverConfig(**{k: v for k, v in dict(r).items()}) for r in table.get("receivers", ())
        )
        options = {
            k: table[k]
            for k in ("supervision_s", "ack_timeout_s", "retries", "backoff_s",
                      "outage_backoff_max_s")
            if k in table
        }
        return cls(receivers=receivers, zones=tuple(zones), users=tuple(users), **options)

    @classmethod
    def from_site(cls, site: Any) -> AlarmConfig:
        """From a loaded Site (controller/site): its alarm section, zone order and user order.

        Read by attribute so this module does not pin the site model's class names."""
        alarm = site.alarm
        zones = tuple(getattr(z, "name", z) for z in site.zones)
        users = tuple(getattr(u, "name", u) for u in getattr(site, "users", ()))
        receivers = tuple(
            ReceiverConfig(
                **{
                    field: getattr(r, field)
                    for field in ReceiverConfig.__dataclass_fields__
                    if hasattr(r, field)
                }
            )
            for r in alarm.receivers
        )
        options = {
            k: getattr(alarm, k)
            for k in ("supervision_s", "ack_timeout_s", "retries")
            if getattr(alarm, k, None) is not None
        }
        return cls(receivers=receivers, zones=zones, users=users, **options)
