"""The field tools read the site file through controller.site (every problem with its line, exit
code 1, as `site check`) and profiles through controller.profiles, decoding values as a technician reads them."""

from __future__ import annotations

from pathlib import Path

from controller.field.profile_catalog import decode, find_point, profile_by_name

SITE = Path(__file__).with_name("field-site.toml")


def test_a_bad_site_file_is_refused_with_its_line_and_key(tmp_path, cli):
    bad = tmp_path / "bad.toml"
    bad.write_text(SITE.read_text().replace("unit = 11", "unit = 300"))
    line = bad.read_text().splitlines().index("unit = 300") + 1
    out = tmp_path / "b"
    r = cli("bundle", "--board", "esp32", "--out", str(out), "--site", str(bad),
            "--device", "main-gate-slider")
    assert r.code == 1 and "%s:%d" % (bad, line) in r.err and "devices[1].unit" in r.err, r.err
    assert not out.exists()
    r = cli("diag", "scan", "--site", str(bad), "--bus", "gate-bus")
    assert r.code == 1 and "%s:%d" % (bad, line) in r.err, r.err


def test_unknown_bus_names_the_buses_of_the_site(cli):
    r = cli("diag", "scan", "--site", str(SITE), "--bus", "roof-bus")
    assert r.code == 2 and "no bus 'roof-bus'" in r.err and "building-bus, gate-bus" in r.err


def test_profile_points_decode_with_names_scale_and_meaning():
    smoke = profile_by_name("generic-rs485-smoke")
    assert not smoke.supports_device_id
    assert decode(find_point(smoke, "alarm"), [1]) == "alarm"
    assert decode(find_point(smoke, "concentration"), [250]) == "2.50 %/m"
    assert find_point(smoke, "concentration").meaning == "Smoke obscuration"
    assert find_point(smoke, "no-such-point") is None
    inputs = find_point(profile_by_name("generic-di-8"), "inputs")
    assert decode(inputs, [0, 1, 0, 0, 0, 0, 0, 1]) == "01000001 (channels 0-7)"
