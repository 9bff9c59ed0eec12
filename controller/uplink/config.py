"""[uplink] of the site file: the district broker and this campus's identity on it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from controller.uplink.errors import UplinkConfigError
from controller.uplink.topics import CAMPUS_ID

ADVISORY_ACTIONS = ("lockdown",)  # what a district may advise: only what makes a campus safer


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    tls: bool


def parse_broker(url: str, where: str = "broker") -> BrokerAddress:
    """mqtt://host[:1883] or mqtts://host[:8883]; UplinkConfigError otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
        raise UplinkConfigError(
            f"{where} = {url!r}: not an MQTT broker address. Fix: write "
            '"mqtt://HOST:1883" or "mqtts://HOST:8883" (TLS).')
    try:
        port = parts.port or (8883 if parts.scheme == "mqtts" else 1883)
    except ValueError:
        raise UplinkConfigError(f"{where} = {url!r}: the port must be 1..65535.") from None
    return BrokerAddress(parts.hostname, port, parts.scheme == "mqtts")


@dataclass(frozen=True)
class UplinkConfig:
    broker: str  # mqtt://host:port or mqtts://host:port
    campus_id: str  # lower-case letters, digits, - and _; the topic prefix of this campus
    username: str = ""  # per-campus broker account ("" = anonymous)
    password_file: str = ""  # file holding the password (first line)
    ca: str = ""  # CA certificate file for mqtts:// ("" = the system's CAs)
    keepalive_s: int = 15  # MQTT keepalive: the broker publishes the last will after 1.5x this
    # (22.5 s: a silent campus is shown offline within the 30 s goal)
    accept_advisory: tuple[str, ...] = ()  # district advisories this campus's policy accepts
    line: int = 0  # where [uplink] is in the site file

    def __post_init__(self) -> None:
        parse_broker(self.broker, "uplink.broker")
        if not CAMPUS_ID.match(self.campus_id):
            raise UplinkConfigError(
                f"uplink.campus_id = {self.campus_id!r}: use 1 to 63 lower-case letters, digits, "
                "'-' or '_', starting with a letter or digit (it becomes the MQTT topic prefix).")
        unknown = [a for a in self.accept_advisory if a not in ADVISORY_ACTIONS]
        if unknown:
            raise UplinkConfigError(
                f"uplink.accept_advisory has {unknown}: a district may only advise "
                f"{', '.join(ADVISORY_ACTIONS)}.")
        if not 1 <= self.keepalive_s <= 3600:
            raise UplinkConfigError(f"uplink.keepalive_s = {self.keepalive_s}: must be 1..3600.")

    @property
    def address(self) -> BrokerAddress:
        return parse_broker(self.broker)

    def password(self) -> str | None:
        if not self.password_file:
            return None
        try:
            return Path(self.password_file).read_text(encoding="utf-8").splitlines()[0].strip()
        except (OSError, IndexError) as error:
            raise UplinkConfigError(
                f"uplink.password_file = {self.password_file!r}: cannot read a password "
                f"({error}). Fix: put the campus's broker password on the first line.") from None


def config_from_site(settings: object) -> UplinkConfig:
    """From the site's [uplink] (controller/site/uplink_section.py UplinkSettings)."""
    values = {k: getattr(settings, k) for k in UplinkConfig.__dataclass_fields__
              if hasattr(settings, k)}
    values["accept_advisory"] = tuple(values.get("accept_advisory", ()))
    return UplinkConfig(**values)
