"""The operations verbs from the command line: who records a ledger entry is proven and their
role must allow it, and what they record is checked against the site. The real CLI in a
subprocess, the real operator store (argon2id PINs) and the real ledger."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from ops_site import TEXT

from controller.identity.seed import ensure_operators
from controller.operations.hazards import HazardRegister
from controller.operations.ledger import Ledger
from controller.operations.who_acts import os_account
from controller.store.event_store import EventStore

OPERATORS = [("li.na", "guard", "guard-pass-2580", "2580"),
             ("zhang.wei", "supervisor", "super-pass-8642", "8642"),
             ("wang.fang", "viewer", "viewer-pass-5173", "5173")]


@pytest.fixture
def state(tmp_path):
    state_dir = tmp_path / "state"
    ensure_operators(state_dir, OPERATORS)
    EventStore(state_dir / "events.db").close()
    site = tmp_path / "site.toml"
    site.write_text(TEXT, encoding="utf-8")
    return state_dir, site


def cli(state, *args, pin: str | None = None, env: dict | None = None):
    state_dir, site = state
    needs_site = args[:2] in (("hazard", "add"), ("visitor", "in"), ("duty", "on"),
                              ("duty", "status"))
    extra = ["--site", str(site)] if needs_site else []
    if pin is not None:
        extra.append("--pin-stdin")
    return subprocess.run([sys.executable, "-m", "campusguard.cli", *args, "--state-dir",
                           str(state_dir), *extra], capture_output=True, text=True, timeout=60,
                          input="" if pin is None else pin + "\n",
                          env={**os.environ, **(env or {})})


def hazards(state):
    with Ledger(state[0]) as ledger:
        return HazardRegister(ledger).all()


def test_a_named_user_needs_their_pin_and_a_wrong_pin_records_nothing(state):
    bare = cli(state, "hazard", "add", "Loose railing", "--owner", "zhang.wei",
               "--user", "zhang.wei")
    assert bare.returncode == 1 and "--pin-stdin" in bare.stderr
    wrong = cli(state, "hazard", "add", "Loose railing", "--owner", "zhang.wei",
                "--user", "zhang.wei", pin="0000")
    assert wrong.returncode == 1 and "not accepted" in wrong.stderr
    assert "Traceback" not in wrong.stderr + bare.stderr
    assert hazards(state) == []
    store = EventStore(state[0] / "events.db")
    try:
        failed = store.query(kind="auth.failed")
    finally:
        store.close()
    assert failed and failed[-1].data["user"] == "zhang.wei"
    right = cli(state, "hazard", "add", "Loose railing", "--owner", "zhang.wei",
                "--user", "zhang.wei", "--json", pin="8642")
    assert right.returncode == 0, right.stderr
    assert json.loads(right.stdout)["opened_by"] == "zhang.wei"
    assert [h.opened_by for h in hazards(state)] == ["zhang.wei"]


def test_the_environment_cannot_name_the_caller(state):
    # $USER / $LOGNAME name nobody: the OS account comes from the process's effective uid
    spoofed = cli(state, "visitor", "in", "--visiting", "office", "--purpose", "meeting",
                  env={"USER": "zhang.wei", "LOGNAME": "zhang.wei"})
    assert spoofed.returncode == 1
    assert f"your OS account {os_account()!r} is not mapped" in spoofed.stderr


def test_a_mapped_os_account_needs_no_pin(tmp_path):
    state_dir = tmp_path / "state"
    store = ensure_operators(state_dir, [])
    store.add("chen.jie", "guard", "guard-pass-1397", "1397", os_user=os_account())
    site = tmp_path / "site.toml"
    site.write_text(TEXT, encoding="utf-8")
    done = cli((state_dir, site), "duty", "on", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["operator"] == "chen.jie"
    status = cli((state_dir, site), "duty", "status")
    assert "chen.jie (any) since" in status.stdout and "Asia/Shanghai" in status.stdout


def test_roles_decide_who_records_what(state):
    added = cli(state, "hazard", "add", "Exit sign dark", "--owner", "zhang.wei", "--user",
                "li.na", "--json", pin="2580")
    assert added.returncode == 0, added.stderr
    number = str(json.loads(added.stdout)["id"])
    by_guard = cli(state, "hazard", "close", number, "--note", "bulb changed", "--user",
                   "li.na", pin="2580")
    assert by_guard.returncode == 1 and "may not close a hazard" in by_guard.stderr
    assert "supervisor or technician" in by_guard.stderr
    assert hazards(state)[0].closed_at is None
    by_viewer = cli(state, "visitor", "in", "--visiting", "office", "--purpose", "meeting",
                    "--user", "wang.fang", pin="5173")
    assert by_viewer.returncode == 1 and "may not register visitors" in by_viewer.stderr
    closed = cli(state, "hazard", "close", number, "--note", "bulb changed", "--user",
                 "zhang.wei", pin="8642")
    assert closed.returncode == 0, closed.stderr
    assert hazards(state)[0].closed_by == "zhang.wei"


def test_pin_guessing_is_rate_limited_across_processes(state):
    for guess in ("1111", "2222", "3333", "4444", "5555"):
        assert cli(state, "duty", "on", "--user", "li.na", pin=guess).returncode == 1
    locked = cli(state, "duty", "on", "--user", "li.na", pin="2580")  # the right PIN, too late
    assert locked.returncode == 1 and "too many failed attempts" in locked.stderr
    assert "nobody is signed on" in cli(state, "duty", "status").stdout
    store = EventStore(state[0] / "events.db")
    try:
        assert store.query(kind="auth.rate_limited")
    finally:
        store.close()


def test_a_visit_at_a_gate_the_site_does_not_have_is_refused_with_the_gates(state):
    wrong = cli(state, "visitor", "in", "--visiting", "office", "--purpose", "meeting",
                "--gate", "back-fence", "--user", "li.na", pin="2580")
    assert wrong.returncode == 1 and "main-gate-barrier" in wrong.stderr
    right = cli(state, "visitor", "in", "--visiting", "office", "--purpose", "meeting",
                "--gate", "side-gate", "--user", "li.na", "--json", pin="2580")
    assert right.returncode == 0 and json.loads(right.stdout)["gate"] == "side-gate"


def test_oversized_or_control_character_text_is_refused_and_nothing_recorded(state):
    long = cli(state, "hazard", "add", "T" * 5000, "--owner", "zhang.wei", "--user", "li.na",
               pin="2580")
    assert long.returncode == 1 and "keep it to 200" in long.stderr
    escape = cli(state, "hazard", "add", "Exit \x1b[2Jsign", "--owner", "zhang.wei",
                 "--user", "li.na", pin="2580")
    assert escape.returncode == 1 and "control characters" in escape.stderr
    assert hazards(state) == []
    plate = cli(state, "visitor", "in", "--kind", "vehicle", "--plate", "X" * 40, "--visiting",
                "office", "--purpose", "delivery", "--user", "li.na", pin="2580")
    assert plate.returncode == 1 and "the plate" in plate.stderr
    assert "Traceback" not in long.stderr + escape.stderr + plate.stderr
