"""A broken site file fails to load with every problem listed, each naming the file, the line,
the key and the fix. Cases are the demo campus with one thing broken."""

import re

import pytest

from controller.site import SiteError, default_site_path, load_site

DEMO = default_site_path().read_text(encoding="utf-8")


def _load_broken(tmp_path, old: str, new: str, count: int = 1) -> SiteError:
    assert DEMO.count(old) >= count, f"test fixture text not found: {old!r}"
    text = DEMO.replace(old, new, count)
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SiteError) as caught:
        load_site(path)
    return caught.value


def _line_of(tmp_path, needle: str) -> int:
    lines = (tmp_path / "broken.toml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def _only(error: SiteError):
    assert len(error.problems) == 1, str(error)
    return error.problems[0]


def test_unit_out_of_range_names_file_line_key_and_fix(tmp_path):
    error = _load_broken(tmp_path, "unit = 4\n", "unit = 300\n")
    problem = _only(error)
    assert problem.line == _line_of(tmp_path, "unit = 300")
    assert problem.key == "devices[3].unit"
    text = str(problem)
    assert text.startswith(f"{tmp_path / 'broken.toml'}:{problem.line}: devices[3].unit = 300: "
                           "must be 1..247. Fix: give the device a unit address between 1 and "
                           "247 that no other device on bus 'gate-bus' uses")


def test_duplicate_unit_on_a_bus(tmp_path):
    problem = _only(_load_broken(tmp_path, "unit = 4\n", "unit = 3\n"))
    assert problem.key == "devices[3].unit"
    assert "already used on bus 'gate-bus'" in problem.what
    assert "line" in problem.what  # points at the first user of the unit


def test_same_unit_on_different_buses_is_fine(tmp_path):
    path = tmp_path / "ok.toml"
    path.write_text(DEMO, encoding="utf-8")
    site = load_site(path)
    assert site.device("kindergarten-panic").unit == site.device("main-gate-slider").unit == 1


def test_duplicate_device_name(tmp_path):
    problem = _only(_load_broken(tmp_path, 'name = "office-panic"', 'name = "guard-room-panic"'))
    assert "duplicate device name" in problem.what
    lines = (tmp_path / "broken.toml").read_text(encoding="utf-8").splitlines()
    assert lines[problem.line - 1] == 'name = "guard-room-panic"'
    assert problem.key == "devices[8].name"


def test_unknown_key_and_wrong_type(tmp_path):
    error = _load_broken(tmp_path, "evacuation_route = true\n[devices.params]\ntravel_timeout_s = 30",
                         "evacuation_rout = true\n[devices.params]\ntravel_timeout_s = \"30\"")
    keys = {p.key: p for p in error.problems}
    assert "unknown key" in keys["devices[0].evacuation_rout"].what
    assert "evacuation_route" in keys["devices[0].evacuation_rout"].fix
    assert "whole number" in keys["devices[0].params.travel_timeout_s"].what


def test_unknown_bus_and_zone_references(tmp_path):
    error = _load_broken(tmp_path, 'bus = "gate-bus"\nunit = 2', 'bus = "gate-buss"\nunit = 2')
    problem = _only(error)
    assert problem.key == "devices[1].bus"
    assert "gate-bus, building-bus" in problem.fix
    error = _load_broken(tmp_path, 'zone = "library"\n\n[[devices]]', 'zone = "libary"\n\n[[devices]]')
    assert "no such zone" in _only(error).what


def test_non_standard_baud(tmp_path):
    problem = _only(_load_broken(tmp_path, "baud = 19200", "baud = 19000"))
    assert problem.key == "buses[1].baud"
    assert "115200" in problem.fix


def test_baud_our_firmware_cannot_speak(tmp_path):
    error = _load_broken(tmp_path, "baud = 19200", "baud = 4800")
    assert all("4800 baud" in p.what for p in error.problems)
    assert len(error.problems) == 16  # every firmware device on the building bus


def test_params_must_be_rw_registers_of_the_role_within_range(tmp_path):
    error = _load_broken(tmp_path, "verify_s = 10 ", "verify_s = 61 ")
    problem = _only(error)
    assert problem.key == "devices[21].params.verify_s" or problem.key.endswith("params.verify_s")
    assert "must be 0..60" in problem.what
    error = _load_broken(tmp_path, "verify_s = 10 ", "obscuration = 10 ")
    problem = _only(error)
    assert "read-only or command register of the smoke role" in problem.what
    assert "alarm_threshold" in problem.fix
    error = _load_broken(tmp_path, "verify_s = 10 ", "colour = 10 ")
    assert "not a register of the smoke role" in _only(error).what


def test_unknown_profile_lists_the_known_ones(tmp_path):
    problem = _only(_load_broken(tmp_path, 'profile = "generic-di-8"', 'profile = "generic-di-16"'))
    assert "no such profile" in problem.what
    assert "generic-di-8" in problem.fix and "generic-rs485-smoke" in problem.fix


def test_bad_schedule_times_and_targets(tmp_path):
    error = _load_broken(tmp_path, 'start = "16:00"\nend = "16:45"\nopen = ["east-pedestrian-gate"]',
                         'start = "16:00"\nend = "15:45"\nopen = ["pickup-bollard-1"]')
    keys = {p.key: p for p in error.problems}
    assert "must be after start 16:00" in keys["schedules[1].end"].what
    assert "is a bollard, not a gate" in keys["schedules[1].open"].what
    error = _load_broken(tmp_path, 'start = "07:20"', 'start = "7h20"')
    assert "not a time of day" in _only(error).what


def test_bad_policy_user_role_and_alarm_receiver(tmp_path):
    error = _load_broken(tmp_path, 'fire_during_lockdown = "two_detectors"',
                         'fire_during_lockdown = "three_detectors"')
    assert "one_detector, two_detectors, guard_confirm" in _only(error).what
    error = _load_broken(tmp_path, 'role = "technician"', 'role = "janitor"')
    assert _only(error).key == "users[3].role"
    receiver = ('[[alarm.receivers]]\nhost = "127.0.0.1"\nport = 12345\nprotocol = "tcp"\n'
                'account = "1234"\nkey = "short"\n')
    error = _load_broken(tmp_path, "[alarm]\n", "[alarm]\n" + receiver)
    problem = _only(error)
    assert problem.key == "alarm.receivers[0].key"
    assert "16, 24 or 32 characters" in problem.what


def test_all_problems_are_reported_not_just_the_first(tmp_path):
    text = DEMO.replace("unit = 4\n", "unit = 0\n", 1).replace("baud = 19200", "baud = 12345")
    text = text.replace('timezone = "Asia/Shanghai"', 'timezone = "Mars/Olympus"')
    path = tmp_path / "many.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SiteError) as caught:
        load_site(path)
    keys = [p.key for p in caught.value.problems]
    assert keys == ["site.timezone", "buses[1].baud", "devices[3].unit"]  # sorted by line
    assert str(caught.value).startswith("3 problems in site file:")
    assert all(re.match(rf"{re.escape(str(path))}:\d+: .+\. Fix: .+", str(p))
               for p in caught.value.problems)


def test_toml_syntax_error_names_file_and_line(tmp_path):
    error = _load_broken(tmp_path, 'name = "admin"', 'name = admin"')
    problem = _only(error)
    assert problem.line == _line_of(tmp_path, 'name = admin"')
    assert "TOML syntax error" in problem.what
    assert str(problem).startswith(f"{tmp_path / 'broken.toml'}:{problem.line}: ")


def test_missing_file_is_a_site_error(tmp_path):
    with pytest.raises(SiteError, match="cannot read the site file"):
        load_site(tmp_path / "nope.toml")


def test_missing_site_table_and_unknown_top_level_key(tmp_path):
    error = _load_broken(tmp_path, '[site]\nname = "Sunrise Primary School (demo)"\n'
                         'timezone = "Asia/Shanghai"\n', '[campus]\nname = "x"\n')
    keys = sorted(p.key for p in error.problems)
    assert keys == ["", "campus"]
    assert any("missing [site] table" in p.what for p in error.problems)
