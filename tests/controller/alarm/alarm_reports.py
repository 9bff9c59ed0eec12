"""The policy engine's AlarmReport for the alarm tests (controller/policy/decision.py)."""

try:
    from controller.policy.decision import AlarmReport
except ImportError:  # controller/policy still being written in this tree: same shape, same fields
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class AlarmReport:  # type: ignore[no-redef]
        kind: str
        zone: str | None
        device: str | None
        drill: bool = False
        restore: bool = False
        user: str | None = None


__all__ = ["AlarmReport"]
