"""Every way `campusguard diag` fails says what is wrong, how to fix it, and exits non-zero."""

from __future__ import annotations

import fcntl
import os
import sys

from campusguard.cli import main
from controller.field.errors import NoDevice, NoSuchPort, PortBusy, PortPermissionDenied, WrongBaud


def test_no_such_port(cli):
    r = cli("diag", "scan", "--port", "/dev/ttyUSB_nope", "--json")
    assert r.code == NoSuchPort.exit_code
    assert r.json()["error"] == "no_such_port"
    assert "no serial port /dev/ttyUSB_nope" in r.err and "fix:" in r.err


def test_no_device_at_that_address(standin, cli):
    r = cli("diag", "info", "9", "--port", standin.host_port, "--baud", "19200")
    assert r.code == NoDevice.exit_code
    assert "no answer from unit 9" in r.err and "diag scan" in r.err


def test_wrong_baud_names_the_right_one(standin, cli):
    r = cli("diag", "info", "1", "--port", standin.host_port, "--baud", "9600", "--json")
    assert r.code == WrongBaud.exit_code
    assert "try --baud 19200" in r.json()["hint"]
    assert "answers at 19200 baud, not 9600" in r.err


def test_scan_at_wrong_baud_finds_nothing_and_hints(standin, cli):
    r = cli("diag", "scan", "--units", "1-2", "--port", standin.host_port, "--baud", "115200")
    assert r.code == WrongBaud.exit_code
    assert "unit 1 answers at 19200 baud" in r.err and "try --baud 19200" in r.err


def test_scan_of_an_empty_bus(standin, cli):
    r = cli("diag", "scan", "--units", "40-42", "--port", standin.host_port, "--baud", "19200")
    assert r.code == NoDevice.exit_code
    assert "no unit answered" in r.err and "wiring" in r.err


def test_port_busy(standin, cli):
    holder = os.open(standin.host_port, os.O_RDWR | os.O_NOCTTY)
    fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)  # what another diag or the host holds
    try:
        r = cli("diag", "info", "1", "--port", standin.host_port)
    finally:
        os.close(holder)
    assert r.code == PortBusy.exit_code
    assert "in use by another program" in r.err and "fuser" in r.err


def test_permission_denied(standin):
    """The CLI in a forked child that cannot open the pty: as user nobody when we are root, or
    with the pty's mode taken away otherwise."""
    read_end, write_end = os.pipe()
    mode = os.stat(standin.host_port).st_mode
    if os.geteuid() != 0:
        os.chmod(standin.host_port, 0)
    pid = os.fork()
    if pid == 0:  # child: nothing but the command, then exit without running pytest's teardown
        code = 99
        try:
            os.dup2(write_end, 2)
            if os.geteuid() == 0:
                os.setgid(65534)
                os.setuid(65534)
            sys.stderr = os.fdopen(2, "w", buffering=1)
            code = main(["diag", "info", "1", "--port", standin.host_port,
                         "--session-dir", "/nonexistent/never-written"])
        finally:
            os._exit(code)
    os.close(write_end)
    _, status = os.waitpid(pid, 0)
    err = os.read(read_end, 4096).decode()
    os.close(read_end)
    os.chmod(standin.host_port, mode & 0o7777)
    assert os.waitstatus_to_exitcode(status) == PortPermissionDenied.exit_code, err
    assert "permission denied" in err and "dialout" in err


def test_missing_sim_state_dir(tmp_path, cli):
    r = cli("diag", "scan", "--sim", str(tmp_path), "--bus", "gate-bus")
    assert r.code == 2 and "simulator is not running" in r.err and "sim up" in r.err


def test_unknown_register(standin, cli):
    r = cli("diag", "read", "1", "no_such_reg", "--port", standin.host_port, "--baud", "19200")
    assert r.code == 2 and "no register 'no_such_reg'" in r.err
