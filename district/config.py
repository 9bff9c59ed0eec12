"""The district centre's configuration file (TOML):

    broker = "mqtt://127.0.0.1:1883"                          # mqtts:// for TLS
    database = "postgresql://campusguard@127.0.0.1/district"  # or "sqlite:///PATH" (one machine)
    listen = "127.0.0.1:8090"
    # optional: username, password_file, ca (the district's broker account), client_id
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from controller.uplink.config import parse_broker
from controller.uplink.errors import UplinkConfigError

KEYS = ("broker", "database", "listen", "username", "password_file", "ca", "client_id")


class DistrictConfigError(Exception):
    """The district config file is unusable; the message names the file, the key and the fix."""


@dataclass(frozen=True)
class DistrictConfig:
    broker: str
    database: str
    listen: str = "127.0.0.1:8090"
    username: str = ""
    password_file: str = ""
    ca: str = ""
    client_id: str = "campusguard-district"

    @property
    def host_port(self) -> tuple[str, int]:
        host, _, port = self.listen.rpartition(":")
        return host or "127.0.0.1", int(port)

    def password(self) -> str | None:
        if not self.password_file:
            return None
        return Path(self.password_file).read_text(encoding="utf-8").splitlines()[0].strip()


def load_config(path: Path) -> DistrictConfig:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise DistrictConfigError(f"{path}: cannot read it ({error.strerror or error}). Fix: "
                                  "give the district config file with --config.") from None
    except tomllib.TOMLDecodeError as error:
        raise DistrictConfigError(f"{path}: TOML syntax error: {error}") from None
    unknown = sorted(set(doc) - set(KEYS))
    if unknown:
        raise DistrictConfigError(f"{path}: unknown key(s) {', '.join(unknown)}. Fix: use only "
                                  f"{', '.join(KEYS)}.")
    for key in ("broker", "database"):
        if not isinstance(doc.get(key), str):
            raise DistrictConfigError(f"{path}: missing {key} = \"...\" (see docs/DISTRICT.md).")
    try:
        parse_broker(doc["broker"], f"{path}: broker")
    except UplinkConfigError as error:
        raise DistrictConfigError(str(error)) from None
    if not doc["database"].startswith(("postgresql://", "postgres://", "sqlite:///")):
        raise DistrictConfigError(f"{path}: database = {doc['database']!r}: write "
                                  "\"postgresql://USER@HOST/DB\" or \"sqlite:///PATH\".")
    listen = str(doc.get("listen", "127.0.0.1:8090"))
    host, _, port = listen.rpartition(":")
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise DistrictConfigError(f"{path}: listen = {listen!r}: write \"HOST:PORT\".")
    return DistrictConfig(**{k: str(v) for k, v in doc.items()})
