"""The policy engine's AlarmReport (controller/policy/decision.py): the alarm tests submit the
same objects the host's policy step produces."""

from controller.policy.decision import AlarmReport

__all__ = ["AlarmReport"]
