"""`campusguard user add|passwd|disable|list`: credentials from stdin (line 1 password, line 2
PIN), clear errors with a fix, never a traceback."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from campusguard.cli import main
from controller.identity import AuthFailed, OperatorStore


def run(capsys, monkeypatch, *argv: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_add_list_passwd_disable(tmp_path, capsys, monkeypatch):
    state = str(tmp_path / "state")
    code, out, _ = run(capsys, monkeypatch, "user", "add", "li.na", "--role", "guard",
                       "--os-user", "root", "--state-dir", state,
                       stdin="correct horse\n2580\n")
    assert code == 0 and "li.na added: guard" in out
    store = OperatorStore(tmp_path / "state")
    assert store.check_pin("li.na", "2580", "t").os_user == "root"

    code, out, _ = run(capsys, monkeypatch, "user", "list", "--json", "--state-dir", state)
    assert code == 0 and json.loads(out) == [
        {"name": "li.na", "role": "guard", "os_user": "root", "disabled": False}]

    code, out, _ = run(capsys, monkeypatch, "user", "passwd", "li.na", "--state-dir", state,
                       stdin="\n97531\n")  # keep the password, new PIN
    assert code == 0 and "PIN changed" in out and "password" not in out
    assert store.check_pin("li.na", "97531", "t").name == "li.na"
    assert store.check_password("li.na", "correct horse", "t").name == "li.na"

    code, out, _ = run(capsys, monkeypatch, "user", "disable", "li.na", "--state-dir", state)
    assert code == 0 and "disabled" in out
    with pytest.raises(AuthFailed):
        store.check_pin("li.na", "97531", "t")
    code, out, _ = run(capsys, monkeypatch, "user", "list", "--state-dir", state)
    assert "DISABLED" in out


def test_bad_input_is_a_clear_error(tmp_path, capsys, monkeypatch):
    state = str(tmp_path / "state")
    cases = [(("add", "wang", "--role", "guard"), "short\n2580\n", "at least 8"),
             (("add", "wang", "--role", "guard"), "long enough\n12\n", "4 to 8 digits"),
             (("add", "wang", "--role", "guard"), "long enough\n", "4 to 8 digits"),
             (("passwd", "nobody"), "long enough\n2580\n", "no operator 'nobody'"),
             (("disable", "nobody"), "", "no operator 'nobody'")]
    for argv, stdin, words in cases:
        code, _, err = run(capsys, monkeypatch, "user", *argv, "--state-dir", state, stdin=stdin)
        assert code == 1 and words in err and "Traceback" not in err, (argv, err)
        assert "Fix:" in err or "nothing to change" in err
    with pytest.raises(SystemExit):  # argparse: an unknown role is a usage error
        run(capsys, monkeypatch, "user", "add", "wang", "--role", "janitor", "--state-dir", state)


def test_user_add_through_the_real_command_with_piped_stdin(tmp_path):
    out = subprocess.run([sys.executable, "-m", "campusguard.cli", "user", "add", "chen.jie",
                          "--role", "supervisor", "--state-dir", str(tmp_path / "s")],
                         input="another password\n4682\n", capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert OperatorStore(tmp_path / "s").check_pin("chen.jie", "4682", "t").role == "supervisor"
