"""The simulator's tolerant site reader: the demo campus, and errors that name file, key and fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from sim_test_support import REPO, write_site

from sim.errors import SiteFileError
from sim.flash_provision import device_config, provision
from sim.site_reader import read_site

DEMO = REPO / "sites" / "demo-campus.toml"


def test_demo_campus_reads_as_the_issue_describes_it():
    site = read_site(DEMO)
    assert {b.name: b.baud for b in site.buses} == {
        "gate-bus": 115200, "building-bus": 19200, "access-bus": 115200}
    roles = [d.role for d in site.devices if d.role]
    assert roles.count("smoke") == 12 and roles.count("panic") == 6
    assert roles.count("gate") == 3 and roles.count("bollard") == 4
    assert roles.count("door") == 5 and roles.count("intrusion") == 2
    assert roles.count("checkpoint") == 4
    assert site.device("dormitory-side-door").site_flags == 4  # fail-secure strike
    assert site.device("classroom-1a-door").site_flags == 1  # evacuation route
    assert sorted(d.profile for d in site.devices if d.profile) == [
        "generic-di-8",
        "generic-rs485-smoke",
    ]
    slider = site.device("main-gate-slider")
    assert slider.plant == {"travel_s": 12.0} and slider.params == {"travel_timeout_s": 30}
    assert site.device("fire-lane-bollard-1").site_flags == 2
    assert slider.site_flags == 1
    assert site.device("sports-hall-input-module").inputs[1]["name"] == "pool-panic"


def test_device_config_is_provisioned_once_and_then_left_to_the_firmware(tmp_path: Path):
    site = read_site(DEMO)
    kitchen = site.device("canteen-kitchen-smoke")
    config = device_config(site.name, kitchen, site.buses[1], site.comm_loss_timeout_s)
    assert config["role"] == "smoke" and config["unit"] == 22 and config["baud"] == 19200
    assert config["params"] == {"verify_s": 10} and config["comm_loss_timeout_s"] == 30
    assert 0 <= config["serial"] <= 0xFFFFFFFF
    assert provision(tmp_path / "kitchen", config) is True
    (tmp_path / "kitchen" / "config.json").write_text('{"changed": "by the firmware"}')
    assert provision(tmp_path / "kitchen", config) is False
    assert "changed" in (tmp_path / "kitchen" / "config.json").read_text()


BAD_SITE = """
    [site]
    name = "typos"
    timezone = "UTC"

    [[buses]]
    name = "gate-bus"
    port = "/dev/null"
    baud = 115200

    [[zones]]
    name = "gate"
    description = "Gate"

    [[devices]]
    name = "main-gate"
    bus = "gate-bus"
    unit = 1
    role = "gate"
    zone = "gaet"
    evacuation_rout = true

    [policy]
    fire_in_normal = "one_detectr"

    [[schedules]]
    name = "arrival"
    days = ["mon"]
    start = "07:00"
    end = "08:00"
    open = ["no-such-gate"]
"""


def test_the_simulator_uses_the_hosts_validator_and_reports_every_problem(tmp_path: Path):
    """issue 14: sim up started a campus with a key typo, an unknown zone, a wrong [policy] and
    schedule entry, one problem at a time and without lines."""
    path = write_site(tmp_path, BAD_SITE)
    with pytest.raises(SiteFileError) as raised:
        read_site(path)
    text = str(raised.value)
    assert "4 problems" in text, text
    for line, what in ((20, "gaet"), (21, "evacuation_rout"), (24, "one_detectr"),
                       (31, "no-such-gate")):
        assert f"{path}:{line}: " in text and what in text, (line, what, text)
    assert text.count("Fix: ") == 4


def test_missing_site_file_says_what_to_give(tmp_path: Path):
    with pytest.raises(SiteFileError, match="check the path given with --site"):
        read_site(tmp_path / "nope.toml")
