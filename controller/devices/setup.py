"""What the host needs to know about one device to poll and provision it (built from the site)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class InputSetup:
    channel: int  # input channel of the module, 0-based
    name: str  # the name the guard sees, e.g. "pool-panic"
    kind: str  # "panic" (the only use so far)


@dataclass(frozen=True)
class DeviceSetup:
    name: str  # unique device name
    bus: str  # bus name
    unit: int  # Modbus unit 1..247
    zone: str
    role: str  # gate | bollard | panic | smoke, or "" for a third-party device
    profile: str = ""  # third-party profile name (protocols/profiles/<profile>.toml)
    site_flags: int = 0  # common.site_flags bits (evacuation_route, fire_lane)
    comm_loss_timeout_s: int = 30  # provisioned into common.comm_loss_timeout_s
    params: dict[str, int] = field(default_factory=dict)  # role-block rw registers by name
    inputs: tuple[InputSetup, ...] = ()  # third-party input modules

    @property
    def kind(self) -> str:
        """role, or the profile name for third-party devices (the `role` shown by status)."""
        return self.role or self.profile
