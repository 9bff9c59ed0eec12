"""The loop bands of protocols/registers_access.py, for the plant tests (the firmware is not
importable here: the simulator only runs it as a process)."""

from protocols import registers as R


def classify_counts(counts: int) -> str:
    if counts < R.INTRUSION_SHORT_BELOW:
        return "short"
    if counts > R.INTRUSION_OPEN_ABOVE:
        return "open"
    return "alarm" if counts > R.INTRUSION_NORMAL_MAX else "normal"
