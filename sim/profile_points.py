"""Raw register and bit values of a third-party device's profile points, from its plant state."""

from __future__ import annotations

from sim.plants import input_module, smoke
from sim.profile_reader import Profile

_DIRTY_DRIFT_COUNTS = 300  # baseline drift at which such sensors report "dirty chamber"


def point_values(profile: Profile, plant_state: object, alarm_pct: float, name: str) -> list[int]:
    """Raw values of point `name` (scaled by the profile's scale), as the device would report them."""
    point = next(p for p in profile.points if p.name == name)
    if profile.kind == "inputs":
        assert isinstance(plant_state, input_module.InputModuleState)
        return input_module.bits(plant_state)[: point.count]
    assert isinstance(plant_state, smoke.SmokeState)
    if name == "alarm":
        value = int(plant_state.chamber == "ok" and plant_state.level >= alarm_pct)
    elif name == "concentration":
        value = int(round(plant_state.level / point.scale)) if plant_state.chamber == "ok" else 0
    elif name == "fault":
        if plant_state.chamber != "ok":
            value = 1
        elif plant_state.drift_counts >= _DIRTY_DRIFT_COUNTS:
            value = 2
        else:
            value = 0
    else:
        value = 0
    return [min(max(value, 0), 0xFFFF)] * point.count
