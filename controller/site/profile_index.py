"""Which third-party profiles exist (protocols/profiles/*.toml) and what the site file needs from
them: the kind (smoke | inputs) and, for input modules, how many channels. The full profile
(points to poll) is read by controller/profiles/."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import protocols

PROFILE_DIR = Path(protocols.__file__).resolve().parent / "profiles"


@dataclass(frozen=True)
class ProfileSummary:
    name: str
    kind: str  # smoke | inputs
    channels: int  # input channels (kind "inputs"), else 0


def profile_names(directory: Path = PROFILE_DIR) -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in directory.glob("*.toml")))


def profile_summary(name: str, directory: Path = PROFILE_DIR) -> ProfileSummary | None:
    """The summary of profile `name`, or None when there is no such (readable) profile."""
    path = directory / f"{name}.toml"
    if "/" in name or not path.is_file():
        return None
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    kind = str(doc.get("kind", ""))
    channels = 0
    for point in doc.get("points", []):
        if point.get("name") == "inputs" and point.get("function") in (1, 2):
            channels = int(point.get("count", 0))
    return ProfileSummary(name=name, kind=kind, channels=channels)
