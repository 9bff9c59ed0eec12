# Intrusion zone rules (double-EOL supervision, latched burglary alarm, bypass, arming refused
# with a loop not ready) on a stepped clock.
from core import register_map as R
from roles import intrusion as I

from firmware_scenarios.harness import Rig

NORMAL = R.INTRUSION_LOOP_NORMAL
ALARM = R.INTRUSION_LOOP_ALARM


def _loop(rig, n, counts, ms=60):
    rig.io.put("loop%d" % n, counts)
    rig.step(ms)


def scenario_loop_conditions_from_counts():
    assert I.classify(2048) == I.LOOP_NORMAL and I.classify(2730) == I.LOOP_ALARM
    assert I.classify(4000) == I.LOOP_OPEN and I.classify(100) == I.LOOP_SHORT


def scenario_armed_trip_latches_until_reset_and_sounds():
    rig = Rig(I.Intrusion, siren_s=5)
    assert rig.command(1) == 0 and rig.reg("state") == I.ARMED and rig.io.on("led_armed")
    events = rig.common("event_counter")
    _loop(rig, 2, ALARM)
    assert rig.reg("state") == I.ALARM and rig.reg("alarm_loops") == 2
    assert rig.reg("alarm_count") == 1 and rig.common("event_counter") != events
    assert rig.io.on("siren") and rig.role.busy()
    assert 30 <= rig.reg("last_reaction_ms") <= 50
    _loop(rig, 2, NORMAL, 10000)
    assert rig.reg("state") == I.ALARM, "the alarm never clears itself"
    assert not rig.io.on("siren"), "the siren stops after siren_s"
    rig.role.on_comm_loss()
    rig.bank.set(R.address(R.COMMON, "mode"), R.MODE_LOCKDOWN)
    rig.role.set_mode(R.MODE_LOCKDOWN)
    rig.step(100)
    assert rig.reg("state") == I.ALARM
    assert rig.command(3) == 0
    assert rig.reg("state") == I.ARMED and rig.reg("alarm_loops") == 0


def scenario_disarmed_trip_is_not_an_alarm_but_a_cut_wire_is_tamper():
    rig = Rig(I.Intrusion)
    _loop(rig, 1, ALARM)
    assert rig.reg("state") == I.DISARMED and rig.reg("alarm_count") == 0
    _loop(rig, 1, 4095)
    assert rig.reg("faults") & 2, "an open loop is tamper"
    assert (rig.reg("loop_status") & 3) == I.LOOP_OPEN
    _loop(rig, 1, NORMAL)
    assert rig.reg("faults") & 2, "tamper latches"
    assert rig.command(3) == 0 and not rig.reg("faults") & 2


def scenario_arming_with_a_loop_not_ready_is_refused_unless_bypassed():
    rig = Rig(I.Intrusion)
    _loop(rig, 1, ALARM)
    assert rig.command(1) == 4 and rig.reg("armed") == 0
    assert rig.command(R.INTRUSION_BYPASS_BASE + 0) == 0 and rig.reg("bypassed") == 1
    assert rig.command(1) == 0 and rig.reg("armed") == 1
    _loop(rig, 1, 2900)
    assert rig.reg("state") == I.ARMED, "a bypassed loop does not alarm"
    assert rig.command(R.INTRUSION_UNBYPASS_BASE + 0) == 4, "unbypassing a bad loop while armed"
    _loop(rig, 1, NORMAL)
    assert rig.command(R.INTRUSION_UNBYPASS_BASE + 0) == 0 and rig.reg("bypassed") == 0
    assert rig.command(0x2F) == 3 and rig.command(4) == 3


def scenario_a_glitch_shorter_than_the_debounce_is_ignored():
    rig = Rig(I.Intrusion)
    rig.command(1)
    rig.io.put("loop1", ALARM)
    rig.step(10)
    rig.io.put("loop1", NORMAL)
    rig.step(100)
    assert rig.reg("state") == I.ARMED


def scenario_disarm_ends_the_alarm():
    rig = Rig(I.Intrusion)
    rig.command(1)
    _loop(rig, 1, ALARM)
    assert rig.reg("state") == I.ALARM
    assert rig.command(2) == 0
    assert rig.reg("state") == I.DISARMED and not rig.io.on("siren") and not rig.io.on("led_armed")
