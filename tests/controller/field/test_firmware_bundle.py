"""`campusguard bundle`: every firmware and protocols file compiled by mpy-cross for the board,
main.py kept as source, the device's configuration, and a manifest that proves what is inside."""

from __future__ import annotations

import hashlib
import json

import pytest

from controller.field.device_config import DeviceConfig
from controller.field.firmware_bundle import REPO, build_bundle, source_files, verify_bundle

SITE = str(REPO / "sites" / "demo-campus.toml")


@pytest.fixture(scope="module")
def esp32_bundle(tmp_path_factory):
    from campusguard.cli import main

    out = tmp_path_factory.mktemp("bundle") / "kitchen"
    assert main(["bundle", "--board", "esp32", "--out", str(out), "--site", SITE,
                 "--device", "canteen-kitchen-smoke"]) == 0
    return out


def test_every_source_file_is_in_the_bundle_compiled(esp32_bundle):
    manifest = json.loads((esp32_bundle / "manifest.json").read_text())
    assert manifest["arch"] == "xtensawin" and manifest["board"] == "esp32"
    on_board = {f["path"] for f in manifest["files"]}
    for src, dest in source_files():
        expected = dest if dest == "main.py" else dest[:-3] + ".mpy"
        assert expected in on_board, "%s missing from the bundle" % src
    assert (esp32_bundle / "main.py").read_text() == (REPO / "firmware" / "main.py").read_text()
    for f in manifest["files"]:
        if f["path"].endswith(".mpy"):
            assert (esp32_bundle / f["path"]).read_bytes()[:2] == b"M\x06"  # mpy v6 header
    assert not list(esp32_bundle.rglob("*.py"))[1:], "only main.py stays source"


def test_bundle_carries_the_site_configuration(esp32_bundle):
    config = json.loads((esp32_bundle / "config.json").read_text())
    assert config == {"version": 1, "role": "smoke", "unit": 22, "baud": 19200, "parity": "N",
                      "stopbits": 1, "site_flags": 0, "comm_loss_timeout_s": 30,
                      "serial": config["serial"], "params": {"verify_s": 10}}
    manifest = json.loads((esp32_bundle / "manifest.json").read_text())
    assert manifest["config"] == config and manifest["device"] == "canteen-kitchen-smoke"


def test_manifest_sizes_and_hashes_match(esp32_bundle):
    assert verify_bundle(esp32_bundle) == []
    manifest = json.loads((esp32_bundle / "manifest.json").read_text())
    first = manifest["files"][0]
    data = (esp32_bundle / first["path"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == first["sha256"] and len(data) == first["size"]


def test_evacuation_route_and_fire_lane_become_site_flags(tmp_path, cli):
    r = cli("bundle", "--board", "esp32", "--out", str(tmp_path / "b"), "--site", SITE,
            "--device", "fire-lane-bollard-1", "--json")
    assert r.code == 0, r.err
    assert r.json()["config"]["site_flags"] == 2 and r.json()["config"]["role"] == "bollard"
    gate = cli("bundle", "--board", "esp32", "--out", str(tmp_path / "g"), "--site", SITE,
               "--device", "main-gate-slider", "--json").json()["config"]
    assert gate["site_flags"] == 1 and gate["baud"] == 115200 and gate["params"] == {
        "travel_timeout_s": 30}


@pytest.mark.parametrize("board, arch_code", [("esp32", 10), ("rp2", 4)])
def test_board_selects_the_cpu_architecture(tmp_path, board, arch_code):
    """Native code shows the -march in the .mpy header (byte 2 = arch << 2): xtensawin is
    architecture 10, armv6m 4 (MicroPython's MP_NATIVE_ARCH_*). A three-file tree keeps it quick."""
    repo = tmp_path / "repo"
    (repo / "firmware" / "core").mkdir(parents=True)
    (repo / "protocols").mkdir()
    (repo / "firmware" / "main.py").write_text("import core.fast\n")
    (repo / "firmware" / "core" / "fast.py").write_text(
        "import micropython\n\n@micropython.native\ndef double(x):\n    return x * 2\n")
    (repo / "protocols" / "__init__.py").write_text("")
    config = DeviceConfig(role="gate", unit=1, baud=115200)
    bundle = build_bundle(board, tmp_path / "out", config, repo=repo)
    assert {f.path for f in bundle.files} == {"main.py", "core/fast.mpy", "protocols/__init__.mpy"}
    header = (tmp_path / "out" / "core" / "fast.mpy").read_bytes()[:3]
    assert header[:2] == b"M\x06" and header[2] >> 2 == arch_code


def test_configuration_from_options(tmp_path, cli):
    r = cli("bundle", "--board", "esp32", "--out", str(tmp_path / "b"), "--role", "panic",
            "--unit", "8", "--baud", "19200", "--param", "hold_ms=300", "--json")
    assert r.code == 0, r.err
    config = r.json()["config"]
    assert (config["role"], config["unit"], config["baud"], config["params"]) == (
        "panic", 8, 19200, {"hold_ms": 300})


@pytest.mark.parametrize("argv, message", [
    (["--role", "gate", "--unit", "0"], "unit 0 is outside 1..247"),
    (["--role", "gate", "--unit", "3", "--baud", "14400"], "baud 14400 is not supported"),
    (["--role", "gate", "--unit", "3", "--param", "travel_timeout_s=2"], "outside 5..120"),
    (["--role", "gate", "--unit", "3", "--param", "state=1"], "not a parameter"),
    (["--role", "smoke", "--unit", "3", "--param", "efo_timeout_ms=900"], "no parameter"),
    (["--site", SITE, "--device", "gym-smoke-sensor"], "third-party device"),
    (["--site", SITE, "--device", "no-such-device"], "has no device 'no-such-device'"),
])
def test_bad_configuration_is_refused_before_anything_is_built(tmp_path, cli, argv, message):
    out = tmp_path / "b"
    r = cli("bundle", "--board", "esp32", "--out", str(out), *argv)
    assert r.code == 2 and message in r.err, r.err
    assert not out.exists()


def test_refuses_to_overwrite_a_directory_that_is_not_a_bundle(tmp_path, cli):
    (tmp_path / "precious.txt").write_text("keep me")
    r = cli("bundle", "--board", "esp32", "--out", str(tmp_path), "--role", "gate", "--unit", "1")
    assert r.code == 2 and "not a bundle" in r.err
    assert (tmp_path / "precious.txt").exists()
