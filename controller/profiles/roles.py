"""What the host polls on our own four roles (register map: protocols/registers.py)."""

from __future__ import annotations

from dataclasses import dataclass

from protocols import registers as R


@dataclass(frozen=True)
class RolePoll:
    role: str  # gate | bollard | panic | smoke
    common_address: int  # first common register read every poll
    common_count: int  # fault_flags, event_counter, heartbeat, comm_loss_timeout_s, mode, site_flags
    block_address: int  # role block: read when event_counter moved (and always for barriers)
    block_count: int
    alarm_lane: bool  # True: polled every priority cycle (panic/smoke); False: barrier round robin


_COMMON_FIRST = R.address(R.COMMON, "fault_flags")
_COMMON_LAST = R.address(R.COMMON, "site_flags")


def role_poll(role: str) -> RolePoll:
    code = R.role_code(role)
    block = R.ROLE_BLOCKS[code]
    return RolePoll(
        role=role,
        common_address=_COMMON_FIRST,
        common_count=_COMMON_LAST - _COMMON_FIRST + 1,
        block_address=block[0][R.ADDRESS],
        block_count=R.block_size(block),
        alarm_lane=role in ("panic", "smoke", "intrusion"),
    )
