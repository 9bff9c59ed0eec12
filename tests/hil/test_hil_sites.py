"""The sites the HIL harness generates or ships pass the host's own site validation."""

from pathlib import Path

import pytest

from controller.site import load_site
from hil.bench.sweep_sites import site_toml, write_site

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("devices,baud", [(8, 115200), (16, 19200), (64, 9600)])
def test_generated_sweep_site_is_a_valid_site(tmp_path, devices, baud):
    site = load_site(write_site(tmp_path, devices, baud))
    assert [b.baud for b in site.buses] == [baud]
    roles = [d.role for d in site.devices]
    assert len(roles) == devices
    assert roles.count("gate") == 2 and roles.count("bollard") == 2
    panic, smoke = roles.count("panic"), roles.count("smoke")
    assert panic == 2 and smoke == devices - 6, "the panic count is fixed: only smoke grows"
    assert sorted(d.unit for d in site.devices) == list(range(1, devices + 1))


def test_too_few_devices_for_a_bench_bus_is_refused():
    with pytest.raises(ValueError, match="needs 7..247 devices"):
        site_toml(6, 9600)


def test_scenario_campus_is_a_valid_site():
    site = load_site(REPO / "hil" / "scenarios" / "scenario-campus.toml")
    assert {d.role for d in site.devices} == {"gate", "bollard", "panic", "smoke"}
