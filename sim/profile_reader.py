"""Read a third-party device profile (protocols/profiles/<name>.toml) into the points to emulate."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from sim.errors import ProfileError

PROFILE_DIR = Path(__file__).resolve().parent.parent / "protocols" / "profiles"
_FUNCTIONS = (1, 2, 3, 4)


@dataclass(frozen=True)
class ProfilePoint:
    name: str  # "alarm", "concentration", "fault", "inputs", ...
    function: int  # 1 coils, 2 discrete inputs, 3 holding, 4 input registers
    address: int  # first address
    count: int  # registers or bits
    scale: float  # engineering value = raw * scale


@dataclass(frozen=True)
class Profile:
    name: str  # the `profile = ...` value in a site file
    kind: str  # "smoke" or "inputs"
    supports_device_id: bool  # FC 2B/0E answered?
    points: tuple[ProfilePoint, ...]


def load_profile(name: str, directory: Path = PROFILE_DIR) -> Profile:
    path = directory / f"{name}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        known = ", ".join(sorted(p.stem for p in directory.glob("*.toml"))) or "none"
        raise ProfileError(
            f"no profile {name!r} in {directory} (known: {known}): fix the site file's profile"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: not valid TOML: {exc}") from exc
    kind = data.get("kind")
    if kind not in ("smoke", "inputs"):
        raise ProfileError(f"{path}: kind = {kind!r}: the simulator emulates kind smoke or inputs")
    points = []
    for index, entry in enumerate(data.get("points", [])):
        try:
            point = ProfilePoint(
                name=str(entry["name"]),
                function=int(entry["function"]),
                address=int(entry["address"]),
                count=int(entry.get("count", 1)),
                scale=float(entry.get("scale", 1.0)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ProfileError(
                f"{path}: points[{index}] needs name, function, address: {exc}"
            ) from exc
        if point.function not in _FUNCTIONS:
            raise ProfileError(
                f"{path}: points[{index}].function = {point.function}: use 1, 2, 3 or 4"
            )
        points.append(point)
    return Profile(
        name=name,
        kind=kind,
        supports_device_id=bool(data.get("supports_device_id", False)),
        points=tuple(points),
    )
