"""Third-party device profiles: protocols/profiles/<name>.toml read into frozen dataclasses."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import protocols

PROFILE_DIR = Path(protocols.__file__).resolve().parent / "profiles"
KINDS = ("smoke", "inputs")


class ProfileError(Exception):
    """A profile file is missing or malformed."""


@dataclass(frozen=True)
class Point:
    name: str  # smoke: alarm | concentration | fault ; inputs: inputs / input_N
    function: int  # 1 coils, 2 discrete inputs, 3 holding, 4 input registers
    address: int  # first register or bit
    count: int  # registers or bits
    scale: float  # engineering value = raw * scale
    unit: str  # engineering unit
    values: dict[int, str]  # optional names of raw values
    meaning: str = ""  # what the point tells a person (shown by `campusguard diag`)

    @property
    def writable(self) -> bool:
        return self.function in (1, 3)  # coils and holding registers


@dataclass(frozen=True)
class Read:
    function: int
    address: int
    count: int


@dataclass(frozen=True)
class Profile:
    name: str  # the `profile = ...` value in a site file
    kind: str  # smoke | inputs
    vendor: str
    description: str
    points: tuple[Point, ...]
    supports_device_id: bool = False  # answers FC 2B/0E read device identification

    def point(self, name: str) -> Point:
        for point in self.points:
            if point.name == name:
                return point
        raise ProfileError(f"profile {self.name!r} has no point {name!r}")

    def reads(self) -> tuple[Read, ...]:
        """Points merged into as few reads as possible (contiguous, same function)."""
        out: list[Read] = []
        for point in sorted(self.points, key=lambda p: (p.function, p.address)):
            if out and out[-1].function == point.function and out[-1].address + out[-1].count == point.address:
                last = out.pop()
                out.append(Read(last.function, last.address, last.count + point.count))
            else:
                out.append(Read(point.function, point.address, point.count))
        return tuple(out)


def load_profile(name: str, directory: Path = PROFILE_DIR) -> Profile:
    path = directory / f"{name}.toml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in directory.glob("*.toml")))
        raise ProfileError(f"no profile {name!r} ({path} missing). Fix: use one of: {known}")
    try:
        data = tomllib.loads(path.read_text())
        kind = data["kind"]
        if kind not in KINDS:
            raise ProfileError(f"{path}: kind = {kind!r}: must be one of {KINDS}")
        supports_device_id = bool(data.get("supports_device_id", False))
        points = tuple(
            Point(
                name=p["name"], function=int(p["function"]), address=int(p["address"]),
                count=int(p.get("count", 1)), scale=float(p.get("scale", 1.0)),
                unit=str(p.get("unit", "")),
                values={int(k): str(v) for k, v in p.get("values", {}).items()},
                meaning=str(p.get("meaning", "")),
            )
            for p in data["points"]
        )
    except (KeyError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(f"{path}: malformed profile: {exc}. Fix: follow protocols/profiles/README.md") from exc
    return Profile(name=data["name"], kind=kind, vendor=str(data.get("vendor", "")),
                   description=str(data.get("description", "")), points=points,
                   supports_device_id=supports_device_id)


def profile_names(directory: Path = PROFILE_DIR) -> tuple[str, ...]:
    """Names of the profiles in directory (the file stems), sorted."""
    return tuple(sorted(p.stem for p in directory.glob("*.toml")))


def all_profiles(directory: Path = PROFILE_DIR) -> tuple[Profile, ...]:
    """Every profile in directory, by name. Raises ProfileError for a malformed one."""
    return tuple(load_profile(name, directory) for name in profile_names(directory))
