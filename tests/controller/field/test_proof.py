"""The proof step: identification and configuration read back over Modbus, PASS or FAIL."""

from __future__ import annotations

from controller.field.errors import ProofFailed


def prove(cli, bus, *argv):
    return cli("flash", "--prove-only", "--role", "gate", "--bus-port", bus.host_port,
               "--baud", "19200", "--serial", "4242", "--boot-timeout", "0.5", *argv)


def test_pass_when_the_device_is_as_configured(standin, cli):
    r = prove(cli, standin, "--unit", "1")
    assert r.code == 0, r.out + r.err
    assert "PASS: unit 1 is a gate, firmware 1.0.0" in r.out


def test_fail_for_a_wrong_unit_address(standin, cli):
    r = prove(cli, standin, "--unit", "5", "--json")
    assert r.code == ProofFailed.exit_code
    proof = r.json()["proof"]
    assert proof["result"] == "FAIL" and "no answer from unit 5" in proof["reason"]
    assert "wrong unit address" in proof["reason"]


def test_fail_names_the_field_that_differs(standin, cli):
    r = prove(cli, standin, "--unit", "1", "--param", "travel_timeout_s=99")
    assert r.code == ProofFailed.exit_code
    assert "FAIL: param travel_timeout_s is" in r.out and "expected 99" in r.out
    r = cli("flash", "--prove-only", "--role", "bollard", "--unit", "1", "--baud", "19200",
            "--bus-port", standin.host_port, "--boot-timeout", "0.5")
    assert "FAIL: product code is CG-GATE, expected CG-BOLLARD" in r.out
