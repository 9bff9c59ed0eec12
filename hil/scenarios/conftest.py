"""HIL scenarios: `--target sim` (default: the simulator, scenario-campus.toml) or
`--target hardware --hil-site FILE` (real boards on a rig; skips with the reason when the ports or
the rig are not there)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from hil.host_process import HostProcess, write_ports_file
from hil.targets.target import Target, TargetActionUnsupported, TargetUnavailable

SCENARIO_SITE = Path(__file__).with_name("scenario-campus.toml")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("hil", "hardware-in-the-loop scenarios")
    group.addoption("--target", choices=("sim", "hardware"), default="sim",
                    help="where the devices are: the simulator (default) or real hardware")
    group.addoption("--hil-site", default=None, help="HIL site file for --target hardware (e.g. hil/wiring/bench-rig.toml)")


class Campus:
    """A target with the host under test running against it."""

    def __init__(self, target: Target, host: HostProcess):
        self.target = target
        self.host = host

    def names(self, role: str, zone: str | None = None) -> list[str]:
        from sim.site_reader import read_site

        site = read_site(self.target.site_path)
        return [d.name for d in site.devices if d.kind == role and d.name in self.target.devices
                and (zone is None or _zone_of(self.target.site_path, d.name) == zone)]

    async def status(self) -> dict:
        return await self.host.status()

    async def device_status(self, name: str) -> dict:
        for device in (await self.status())["devices"]:
            if device["name"] == name:
                return device
        raise AssertionError("host status has no device %r" % name)

    async def act(self, action: Callable[[], Awaitable[float | None]]) -> float | None:
        try:
            return await action()
        except TargetActionUnsupported as exc:
            pytest.skip("target %s cannot do this: %s" % (self.target.kind, exc))


def _zone_of(site_path: Path, device: str) -> str:
    import tomllib

    data = tomllib.loads(Path(site_path).read_text())
    for entry in data.get("devices", ()):
        if entry.get("name") == device:
            return entry.get("zone", "")
    return ""


def _make_target(config: pytest.Config, state_dir: Path) -> Target:
    if config.getoption("--target") == "hardware":
        hil_site = config.getoption("--hil-site")
        if not hil_site:
            pytest.skip("--target hardware needs --hil-site FILE (e.g. hil/wiring/bench-rig.toml)")
        from hil.targets.hardware_target import HardwareTarget

        return HardwareTarget(hil_site)
    from hil.targets.sim_target import SimTarget

    return SimTarget(SCENARIO_SITE, state_dir / "sim")


@pytest.fixture
async def campus(request: pytest.FixtureRequest, tmp_path: Path):
    target = _make_target(request.config, tmp_path)
    try:
        await target.start()
    except TargetUnavailable as exc:
        pytest.skip(str(exc))
    host = None
    try:
        write_ports_file(tmp_path / "ports", target.buses, target.devices)
        host = HostProcess(target.site_path, tmp_path / "ports", tmp_path / "host")
        await host.start(ready_timeout_s=60.0, want_online=len(target.devices))
        yield Campus(target, host)
    finally:
        if host is not None:
            await host.stop()
        await target.close()
