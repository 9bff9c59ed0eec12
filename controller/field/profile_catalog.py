"""Third-party device profiles (protocols/profiles/*.toml, data not code) as the field tools use
them: what to read, how to decode it."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import protocols
from controller.field.errors import UsageError

PROFILE_DIR = Path(protocols.__file__).resolve().parent / "profiles"


@dataclass(frozen=True)
class ProfilePoint:
    name: str  # point name ("alarm", "concentration", "inputs")
    function: int  # 1 coils, 2 discrete inputs, 3 holding, 4 input registers
    address: int  # first register or bit
    count: int  # registers or bits
    scale: float  # engineering value = raw * scale
    unit: str  # engineering unit
    meaning: str  # shown by diag watch
    values: tuple[tuple[int, str], ...]  # optional enumeration of raw values

    @property
    def writable(self) -> bool:
        return self.function in (1, 3)

    def decode(self, raw: list[int]) -> str:
        if self.function in (1, 2):
            return "".join(str(b) for b in raw) + " (channels 0-%d)" % (self.count - 1)
        value = raw[0]
        named = dict(self.values)
        if value in named:
            return named[value]
        if self.scale != 1.0:
            return ("%.2f %s" % (value * self.scale, self.unit)).strip()
        return ("%d %s" % (value, self.unit)).strip()


@dataclass(frozen=True)
class Profile:
    name: str  # the `profile = ...` value in a site file
    kind: str  # "smoke" | "inputs"
    vendor: str  # free text
    description: str  # free text
    baud: int  # factory default serial settings
    supports_device_id: bool  # answers FC 2B/0E
    points: tuple[ProfilePoint, ...]  # what to read

    def point(self, name: str) -> ProfilePoint | None:
        return next((p for p in self.points if p.name == name), None)


def load_profile(path: Path) -> Profile:
    with open(path, "rb") as f:
        data = tomllib.load(f)
    points = tuple(
        ProfilePoint(p["name"], int(p["function"]), int(p["address"]), int(p.get("count", 1)),
                     float(p.get("scale", 1.0)), p.get("unit", ""), p.get("meaning", ""),
                     tuple(sorted((int(k), v) for k, v in p.get("values", {}).items())))
        for p in data.get("points", [])
    )
    return Profile(data["name"], data.get("kind", ""), data.get("vendor", ""),
                   data.get("description", ""), int(data.get("baud", 9600)),
                   bool(data.get("supports_device_id", False)), points)


def all_profiles() -> list[Profile]:
    return [load_profile(p) for p in sorted(PROFILE_DIR.glob("*.toml"))]


def profile_by_name(name: str) -> Profile:
    for profile in all_profiles():
        if profile.name == name:
            return profile
    known = ", ".join(p.name for p in all_profiles())
    raise UsageError("no device profile %r" % name, "known profiles: %s" % known)
