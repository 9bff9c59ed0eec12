"""Parse the on|off value of a switch-like injection."""

from sim.errors import InjectError


def on_off(action: str, value: object) -> bool:
    if value in ("on", True, 1, "1"):
        return True
    if value in ("off", False, 0, "0"):
        return False
    raise InjectError(f"{action} {value!r}: use on or off")
