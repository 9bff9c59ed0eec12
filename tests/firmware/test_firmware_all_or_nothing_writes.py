# Issue 11 item 5: a refused write changes nothing. Every register of an FC 06/16 write is checked
# (bank limits, the role's command check, the baud code, the config_command magic) before any is
# stored, unicast and broadcast, on every role, under the real MicroPython firmware.
import struct
import time

import pytest
from firmware_process import read_reply, transact

from protocols import io_points, rtu
from protocols import registers as R

pytestmark = pytest.mark.micropython

A_MODE = R.address(R.COMMON, "mode")
# Registers that move on their own while nothing else does.
_VOLATILE = {R.address(R.COMMON, n) for n in ("uptime_hi", "uptime_lo", "heap_free")}
_COMMON_COUNT = 28  # the defined common registers (0..27)
# Rest positions: the gate open (a lockdown would close and lock it), the bollard down (a lockdown
# runs an emergency raise): a mode that slipped through would move an output.
_REST = {"gate": {"limit_open": 1}, "bollard": {"limit_down": 1}, "panic": {}, "smoke": {}}
_SETTLED = {"gate": 3, "bollard": 1, "panic": 0, "smoke": 0}  # state at rest (open / down / idle / normal)


def _fc16(address, values):
    return struct.pack(">BHHB", 16, address, len(values), 2 * len(values)) + b"".join(
        struct.pack(">H", v) for v in values)


def _read(sock, unit, address, count):
    reply = transact(sock, unit, struct.pack(">BHH", 3, address, count))
    assert len(reply) == 5 + 2 * count and reply[1] == 3, reply.hex()
    return list(struct.unpack(">%dH" % count, reply[3:3 + 2 * count]))


def _snapshot(sock, role):
    common = _read(sock, 1, 0, _COMMON_COUNT)
    block = R.ROLE_BLOCKS[R.role_code(role)]
    own = _read(sock, 1, R.ROLE_BASE, R.block_size(block))
    regs = {a: v for a, v in enumerate(common) if a not in _VOLATILE}
    regs.update({R.ROLE_BASE + i: v for i, v in enumerate(own)})
    return regs


def _settle(fw, sock, role):
    """At rest, and every output reported to the plant (it hears them all on connect)."""
    state = R.address(R.ROLE_BLOCKS[R.role_code(role)], "state")
    outputs = {p[0] for p in io_points.ROLE_IO[R.role_code(role)] if p[1] == "do"}
    deadline = time.monotonic() + 5
    while _read(sock, 1, state, 1)[0] != _SETTLED[role] or set(fw.plant.outputs) != outputs:
        assert time.monotonic() < deadline, f"{role} never reached its rest state"
        time.sleep(0.05)


def _assert_nothing_changed(fw, sock, role, before_regs, before_outputs, before_history):
    time.sleep(0.5)  # long enough for a lockdown to have started a close or an EFO raise
    after = _snapshot(sock, role)
    changed = {a: (before_regs[a], after[a]) for a in before_regs if before_regs[a] != after[a]}
    assert not changed, f"a refused write changed registers (address: before, after): {changed}"
    assert fw.plant.outputs == before_outputs, "a refused write moved an output"
    assert len(fw.plant.history) == before_history, fw.plant.history[before_history:]


# The frame: FC 16 at address 12, [mode=1, site_flags, config_unit, config_baud=1000].
_REFUSED = [1, 0, 1, 1000]


@pytest.mark.parametrize("role", ("gate", "bollard", "panic", "smoke"))
def test_refused_fc16_changes_nothing_unicast_and_broadcast(firmware, role):
    fw = firmware(role)
    for name, value in _REST[role].items():
        fw.plant.set(name, value)
    sock = fw.raw()
    _settle(fw, sock, role)
    time.sleep(0.2)
    before = _snapshot(sock, role)
    outputs = dict(fw.plant.outputs)
    history = len(fw.plant.history)
    assert before[A_MODE] == 0

    reply = transact(sock, 1, _fc16(A_MODE, _REFUSED))
    assert reply == rtu.build_adu(1, bytes([0x90, 3])), f"expected exception 03, got {reply.hex()}"
    _assert_nothing_changed(fw, sock, role, before, outputs, history)

    sock.sendall(rtu.build_adu(rtu.BROADCAST, _fc16(A_MODE, _REFUSED)))
    assert read_reply(sock, 0.3) == b"", "a broadcast is never answered"
    _assert_nothing_changed(fw, sock, role, before, outputs, history)

    # The same frame with a valid baud code is accepted: the checks above could see a change.
    reply = transact(sock, 1, _fc16(A_MODE, [1, 0, 1, 1152]))
    assert reply[:2] == bytes([1, 16]), reply.hex()
    assert _read(sock, 1, A_MODE, 1) == [1]
    if role == "gate":
        fw.plant.wait_for("motor_close", 1)  # the lockdown close (after the photo-eye test)
    elif role == "bollard":
        fw.plant.wait_for("pump_up", 1)  # the emergency raise


def test_refused_config_command_or_role_command_changes_nothing(firmware):
    fw = firmware("gate")
    fw.plant.set("limit_open", 1)
    sock = fw.raw()
    _settle(fw, sock, "gate")
    before = _snapshot(sock, "gate")
    outputs = dict(fw.plant.outputs)
    history = len(fw.plant.history)
    # Every register valid on its own up to config_command, whose value is not a magic one.
    frame = _fc16(A_MODE, [1, 3, 9, 96, 2, 2, 0x1234])
    assert transact(sock, 1, frame) == rtu.build_adu(1, bytes([0x90, 3]))
    _assert_nothing_changed(fw, sock, "gate", before, outputs, history)
    sock.sendall(rtu.build_adu(rtu.BROADCAST, frame))
    assert read_reply(sock, 0.3) == b""
    _assert_nothing_changed(fw, sock, "gate", before, outputs, history)
    # A command the role refuses (close while in hold-to-run) is refused by FC 16 as by FC 06.
    command = R.address(R.GATE, "command")
    fw.plant.healthy_eye = False  # the photo-eye test fails: the gate falls back to hold-to-run
    assert transact(sock, 1, struct.pack(">BHH", 6, command, 2))[:2] == bytes([1, 6])
    hold = R.address(R.GATE, "hold_to_run")
    faults = R.address(R.COMMON, "fault_flags")
    deadline = time.monotonic() + 5
    # hold_to_run set, and the role fault carried into the common fault flags and the fault log
    while _read(sock, 1, hold, 1) != [1] or not _read(sock, 1, faults, 1)[0] & 0x20:
        assert time.monotonic() < deadline, "the failed photo-eye test never set hold_to_run"
        time.sleep(0.05)
    before = _snapshot(sock, "gate")
    outputs = dict(fw.plant.outputs)
    history = len(fw.plant.history)
    assert transact(sock, 1, _fc16(command, [2])) == rtu.build_adu(1, bytes([0x90, 4]))
    assert transact(sock, 1, struct.pack(">BHH", 6, command, 2)) == rtu.build_adu(1, bytes([0x86, 4]))
    _assert_nothing_changed(fw, sock, "gate", before, outputs, history)


def test_commit_on_a_failing_flash_is_refused_before_the_mode_is_applied(firmware):
    fw = firmware("gate")
    fw.plant.set("limit_open", 1)
    sock = fw.raw()
    _settle(fw, sock, "gate")
    (fw.flash / "config.json.tmp").mkdir()  # the atomic rewrite cannot create its temp file
    config = (fw.flash / "config.json").read_text()
    outputs = dict(fw.plant.outputs)
    history = len(fw.plant.history)
    # mode=1 and a new unit, committed in the same frame: the save fails, so nothing is applied.
    frame = _fc16(A_MODE, [1, 0, 9, 1152, 0, 1, R.CONFIG_COMMIT])
    assert transact(sock, 1, frame) == rtu.build_adu(1, bytes([0x90, 4]))
    time.sleep(0.5)
    assert _read(sock, 1, A_MODE, 2) == [0, 0], "mode or site flags applied by a failed commit"
    assert _read(sock, 1, R.address(R.COMMON, "config_unit"), 1) == [1]
    assert _read(sock, 1, R.address(R.COMMON, "fault_flags"), 1)[0] & (1 << 3), "flash fault"
    assert fw.plant.outputs == outputs and len(fw.plant.history) == history
    assert (fw.flash / "config.json").read_text() == config and fw.proc.poll() is None
    # Flash repaired: the same frame commits, is answered, and the device reboots (exit 10).
    (fw.flash / "config.json.tmp").rmdir()
    assert transact(sock, 1, frame)[:2] == bytes([1, 16])
    assert fw.wait_exit(5) == 10
    assert '"unit": 9' in (fw.flash / "config.json").read_text()
