# Smoke detector rules (verification, latching, drift compensation, chamber faults).
from core import register_map as R
from roles import smoke as S

from firmware_scenarios.harness import IdleRig, Rig


def scenario_alarm_after_verification_latches_until_reset():
    rig = Rig(S.Smoke, verify_s=5)
    rig.io.put("sensor", 400 + 400)
    rig.step(20)
    assert rig.reg("state") == S.VERIFYING and not rig.io.on("relay")
    t = rig.until(lambda: rig.reg("state") == S.ALARM, 10000)
    assert 4900 <= t <= 5100, "alarm after %d ms, verify_s is 5 s" % t
    rig.step(20)
    assert rig.io.on("relay") and rig.io.on("sounder") and rig.reg("alarm_count") == 1
    rig.io.put("sensor", 400)
    rig.step(5000)
    assert rig.reg("state") == S.ALARM, "alarm must latch until reset"
    assert rig.command(3) == 0
    rig.step(20)
    assert rig.reg("state") == S.NORMAL and not rig.io.on("relay")


def scenario_short_puff_does_not_alarm():
    rig = Rig(S.Smoke, verify_s=5)
    rig.io.put("sensor", 800)
    rig.step(2000)
    rig.io.put("sensor", 400)
    rig.step(5000)
    assert rig.reg("alarm_count") == 0 and rig.reg("state") == S.NORMAL


def scenario_prealarm_between_thresholds():
    rig = Rig(S.Smoke)
    rig.io.put("sensor", 400 + 200)
    rig.step(20)
    assert rig.reg("state") == S.PREALARM and rig.reg("obscuration") == 200
    assert not rig.io.on("relay")


def scenario_chamber_fault_out_of_range():
    rig = Rig(S.Smoke)
    rig.io.put("sensor", 50)
    rig.step(20)
    assert rig.reg("state") == S.FAULT and rig.reg("faults") & 1
    rig.io.put("sensor", 400)
    rig.step(20)
    assert rig.reg("state") == S.NORMAL and not rig.reg("faults") & 1


def scenario_drift_is_compensated_and_dirty_chamber_reported():
    rig = Rig(S.Smoke)
    raw = 400
    for _ in range(320):
        raw += 1
        rig.io.put("sensor", raw)
        rig.step(10000, every=500)
    assert rig.reg("state") == S.NORMAL, "slow drift must not alarm"
    assert rig.reg("baseline") >= R.SMOKE_DIRTY_BASELINE_COUNTS - 5
    assert rig.reg("faults") & 2, "dirty_chamber not reported"


def scenario_smoke_is_not_compensated_away():
    rig = Rig(S.Smoke, verify_s=60)
    rig.io.put("sensor", 400 + 350)
    rig.step(59000, every=100)
    assert rig.reg("baseline") == 400
    rig.step(2000, every=100)
    assert rig.reg("state") == S.ALARM


def scenario_test_mode_sounds_without_the_relay():
    rig = Rig(S.Smoke)
    assert rig.command(1) == 0
    rig.step(20)
    assert rig.reg("state") == S.TEST and rig.io.on("sounder") and not rig.io.on("relay")
    rig.command(2)
    rig.step(20)
    assert rig.reg("state") == S.NORMAL and not rig.io.on("sounder")


def scenario_comm_loss_keeps_the_alarm_working():
    rig = Rig(S.Smoke, verify_s=0)
    rig.role.on_comm_loss()
    rig.io.put("sensor", 900)
    rig.step(50)
    assert rig.reg("state") == S.ALARM and rig.io.on("relay")


# ---- idle scheduling (main.py ticks the role on edges, commands and next_tick_ms only)
def scenario_idle_smoke_samples_twice_a_second_and_alarms_within_verify_s_plus_a_sample():
    rig = IdleRig(S.Smoke, verify_s=5)
    n = rig.run(60000)
    assert 115 <= n <= 121, "%d samples in 60 s: the chamber is sampled every 500 ms" % n
    rig.edge("sensor", 800)  # analogue: seen at the next sample, no wake-up
    t = rig.until(lambda: rig.reg("state") == S.ALARM, 10000)
    assert 5000 <= t <= 5500, "alarm %d ms after the smoke, verify_s is 5 s" % t
    assert rig.io.on("relay") and rig.io.on("sounder")
