# Panic station rules (GB 50394: latching, no self-reset, anti-false-trigger) on a stepped clock.
from core import register_map as R
from roles import panic as P

from firmware_scenarios.harness import IdleRig, Rig


def _press(rig, ms):
    rig.io.put("button", 1)
    rig.step(ms)
    rig.io.put("button", 0)
    rig.step(20)


def scenario_short_press_is_ignored():
    rig = Rig(P.Panic, hold_ms=200)
    _press(rig, 100)
    assert rig.reg("state") == P.IDLE and rig.reg("press_count") == 0


def scenario_held_press_latches_and_never_resets_itself():
    rig = Rig(P.Panic, hold_ms=200)
    events = rig.common("event_counter")
    _press(rig, 300)
    assert rig.reg("state") == P.ALARM and rig.io.on("led_alarm")
    assert rig.reg("press_count") == 1 and rig.common("event_counter") != events
    rig.step(120000)
    assert rig.reg("state") == P.ALARM, "the alarm reset itself"


def scenario_every_press_counts():
    rig = Rig(P.Panic)
    for _ in range(3):
        _press(rig, 300)
    assert rig.reg("press_count") == 3


def scenario_ack_lights_received_and_only_the_key_or_reset_clears():
    rig = Rig(P.Panic)
    _press(rig, 300)
    assert rig.command(R.PANIC_COMMAND_ACK) == 0
    rig.step(20)
    assert rig.reg("state") == P.ACKNOWLEDGED and rig.io.on("led_received")
    assert rig.command(0x0002) == 3 and rig.command(0xFFFF) == 3, "stray values must be refused"
    assert rig.reg("state") == P.ACKNOWLEDGED
    assert rig.command(R.PANIC_RESET_KEY) == 0
    rig.step(20)
    assert rig.reg("state") == P.IDLE and not rig.io.on("led_alarm")
    _press(rig, 300)
    rig.io.put("key_reset", 1)
    rig.step(20)
    assert rig.reg("state") == P.IDLE


def scenario_tamper_latches_a_fault_and_an_event():
    rig = Rig(P.Panic)
    events = rig.common("event_counter")
    rig.io.put("tamper", 1)
    rig.step(20)
    rig.io.put("tamper", 0)
    rig.step(20)
    assert rig.reg("faults") & 1 and rig.common("event_counter") != events
    rig.command(R.PANIC_RESET_KEY)
    assert not rig.reg("faults") & 1


def scenario_comm_loss_keeps_the_alarm_and_blinks_received():
    rig = Rig(P.Panic)
    _press(rig, 300)
    rig.role.on_comm_loss()
    seen = set()
    for _ in range(30):
        rig.step(100)
        seen.add(rig.io.outputs["led_received"])
    assert seen == {0, 1}, "led_received must blink while the host is silent"
    assert rig.reg("state") == P.ALARM and rig.io.on("led_alarm")


def scenario_stuck_button_is_a_fault_but_counts_once():
    rig = Rig(P.Panic)
    rig.io.put("button", 1)
    rig.step(61000)
    assert rig.reg("press_count") == 1 and rig.reg("faults") & 2


# ---- idle scheduling (main.py ticks the role on edges, commands and next_tick_ms only)
def scenario_idle_panic_latches_a_press_after_hold_ms_and_idles_again():
    rig = IdleRig(P.Panic, hold_ms=200)
    assert rig.run(60000) <= 61, "an idle station must not tick on a short period"
    rig.edge("button", 1)
    t = rig.until(lambda: rig.reg("state") == P.ALARM, 1000)
    assert 200 <= t <= 210, "press latched %d ms after the edge, hold_ms is 200" % t
    assert rig.reg("press_count") == 1 and rig.io.on("led_alarm") and rig.io.on("buzzer")
    rig.edge("button", 0)
    rig.run(1100)
    assert not rig.io.on("buzzer"), "the buzzer runs to its own deadline"
    assert rig.run(10000) <= 11 and rig.reg("state") == P.ALARM


def scenario_idle_panic_short_press_is_still_ignored():
    rig = IdleRig(P.Panic, hold_ms=200)
    rig.edge("button", 1)
    rig.run(150)
    rig.edge("button", 0)
    rig.run(1000)
    assert rig.reg("state") == P.IDLE and rig.reg("press_count") == 0


def scenario_idle_panic_blinks_no_host_on_its_deadline():
    rig = IdleRig(P.Panic)
    rig.role.on_comm_loss()
    rig.run(10)
    seen = set()
    for _ in range(8):
        rig.run(250)
        seen.add(rig.io.on("led_received"))
    assert seen == {True, False}, "led_received must blink while the host is silent"
