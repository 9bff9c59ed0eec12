"""Third-party device profiles (protocols/profiles/*.toml, read by controller/profiles/) as the
field tools use them: found by name with a usage error naming the known ones, and a point's raw
value decoded for a technician."""

from __future__ import annotations

from controller.field.errors import UsageError
from controller.profiles.third_party import (
    Point,
    Profile,
    ProfileError,
    load_profile,
    profile_names,
)
from controller.profiles.third_party import all_profiles as _all_profiles


def all_profiles() -> tuple[Profile, ...]:
    try:
        return _all_profiles()
    except ProfileError as exc:
        raise UsageError(str(exc), "correct that profile file in protocols/profiles/") from None


def profile_by_name(name: str) -> Profile:
    known = profile_names()
    if name not in known:
        raise UsageError("no device profile %r" % name, "known profiles: %s" % ", ".join(known))
    try:
        return load_profile(name)
    except ProfileError as exc:
        raise UsageError(str(exc), "correct that profile file in protocols/profiles/") from None


def find_point(profile: Profile, name: str) -> Point | None:
    return next((p for p in profile.points if p.name == name), None)


def decode(point: Point, raw: list[int]) -> str:
    """Bits as a channel string; a register by its value name, else scaled, with its unit."""
    if point.function in (1, 2):
        return "".join(str(b) for b in raw) + " (channels 0-%d)" % (point.count - 1)
    value = raw[0]
    if value in point.values:
        return point.values[value]
    if point.scale != 1.0:
        return ("%.2f %s" % (value * point.scale, point.unit)).strip()
    return ("%d %s" % (value, point.unit)).strip()
