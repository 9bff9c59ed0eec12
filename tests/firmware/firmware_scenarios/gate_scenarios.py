# Gate safety rules (UL 325) on a stepped clock. Each scenario raises AssertionError on failure.
from core import register_map as R
from roles import gate as G
from roles.role_base import FAST_TICK_MS

from firmware_scenarios.harness import IdleRig, Rig

CLOSE, OPEN_CMD, STOP, LOCK, UNLOCK, RESET = 2, 1, 3, 4, 5, 6


def _open_gate(**params):
    return Rig(G.Gate, inputs={"limit_open": 1}, **params)


def _close_to_motion(rig):
    assert rig.command(CLOSE) == 0
    t = rig.until(lambda: rig.io.on("motor_close"), 1000)
    assert t >= 0, "close never started"
    rig.io.put("limit_open", 0)
    return t


def scenario_close_tests_eye_then_closes_and_reports_travel():
    rig = _open_gate()
    assert rig.reg("state") == G.OPEN
    assert rig.command(CLOSE) == 0
    assert rig.until(lambda: rig.io.on("motor_close"), 1000) >= 0
    changes = [(name, value) for _, name, value in rig.io.history if value]
    assert changes.index(("eye_test", 1)) < changes.index(("motor_close", 1)), (
        "motor started before the photo-eye was tested"
    )
    assert not rig.io.on("eye_test")
    assert rig.reg("state") == G.CLOSING
    rig.io.put("limit_open", 0)
    rig.step(3000)
    rig.io.put("limit_closed", 1)
    rig.step(20)
    assert rig.reg("state") == G.CLOSED and not rig.io.on("motor_close")
    assert 3000 <= rig.reg("last_travel_ms") <= 3100
    assert rig.common("state") == G.CLOSED, "common.state does not mirror the role state"


def scenario_obstruction_stops_in_the_same_tick_and_reverses_after_a_stop():
    rig = _open_gate()
    _close_to_motion(rig)
    rig.step(500)
    events = rig.common("event_counter")
    rig.io.put("photo_eye", 1)
    rig.step(10)
    assert not rig.io.on("motor_close"), "motor still closing onto an obstruction"
    assert not rig.io.on("motor_open"), "reversal without stopping first"
    assert rig.reg("state") == G.REVERSING
    assert rig.reg("last_reaction_ms") <= 10
    assert rig.reg("obstruction_count") == 1
    assert rig.common("event_counter") != events
    t = rig.until(lambda: rig.io.on("motor_open"), 2000)
    assert 250 <= t + 10 <= 2000, "reversal must start after a stop and within UL 325's 2 s: %d" % t


def scenario_edge_pressed_while_closing_reverses():
    rig = _open_gate()
    _close_to_motion(rig)
    rig.io.put("edge", 300)
    rig.step(10)
    assert not rig.io.on("motor_close") and rig.reg("state") == G.REVERSING


def scenario_second_edge_contact_during_reversal_stops_only():
    rig = _open_gate()
    _close_to_motion(rig)
    rig.io.put("edge", 300)
    rig.step(10)
    rig.io.put("edge", 2048)
    assert rig.until(lambda: rig.io.on("motor_open"), 1000) >= 0
    rig.step(200)
    rig.io.put("edge", 300)
    rig.step(10)
    assert not rig.io.on("motor_open") and not rig.io.on("motor_close")
    assert rig.reg("state") == G.STOPPED
    assert rig.reg("faults") & (1 << 4), "second_obstruction fault not raised"
    rig.step(2000)
    assert not rig.io.on("motor_open") and not rig.io.on("motor_close"), "moved after stop-only"


def scenario_dead_photo_eye_means_hold_to_run_only():
    rig = _open_gate()
    rig.io.healthy_eye = False
    assert rig.command(CLOSE) == 0
    rig.step(1000)
    assert not rig.io.on("motor_close"), "closed with an unmonitored photo-eye"
    assert rig.reg("hold_to_run") == 1 and rig.reg("faults") & (1 << 1)
    assert rig.command(CLOSE) == 4, "remote close must be refused in hold-to-run"
    rig.io.put("button_close", 1)
    rig.step(20)
    assert rig.io.on("motor_close"), "held close button must move the gate"
    rig.io.put("limit_open", 0)
    rig.step(500)
    rig.io.put("button_close", 0)
    rig.step(10)
    assert not rig.io.on("motor_close"), "gate kept closing after the button was released"


def scenario_open_edge_circuit_is_a_monitoring_fault():
    rig = _open_gate()
    rig.io.put("edge", 4000)
    rig.step(20)
    assert rig.reg("hold_to_run") == 1 and rig.reg("faults") & (1 << 2)
    assert rig.command(CLOSE) == 4


def scenario_no_close_onto_a_vehicle_on_the_loop():
    rig = _open_gate()
    rig.io.put("loop", 1)
    assert rig.command(CLOSE) == 0
    rig.step(1500)
    assert not rig.io.on("motor_close"), "closed onto a vehicle"
    rig.io.put("loop", 0)
    _close_to_motion(rig)
    rig.io.put("loop", 1)
    rig.step(10)
    assert not rig.io.on("motor_close") and rig.reg("state") == G.REVERSING


def scenario_lockdown_closes_locks_and_ignores_local_buttons():
    rig = _open_gate()
    rig.role.set_mode(R.MODE_LOCKDOWN)
    assert rig.until(lambda: rig.io.on("motor_close"), 1000) >= 0
    rig.io.put("limit_open", 0)
    rig.io.put("button_open", 1)
    rig.step(100)
    assert rig.io.on("motor_close"), "local open button acted on in lockdown"
    rig.io.put("button_open", 0)
    rig.io.put("limit_closed", 1)
    rig.step(20)
    assert rig.reg("state") == G.CLOSED and rig.reg("locked") == 1 and rig.io.on("lock")
    rig.io.put("button_open", 1)
    rig.step(100)
    assert not rig.io.on("motor_open")
    rig.io.put("button_open", 0)
    rig.io.put("key_override", 1)
    rig.step(20)
    rig.io.put("button_open", 1)
    assert rig.until(lambda: rig.io.on("motor_open"), 1000) >= 0, "key override must hand over the gate"
    assert not rig.io.on("lock")


def scenario_lockdown_close_reverses_on_obstruction_then_retries():
    rig = _open_gate()
    rig.role.set_mode(R.MODE_LOCKDOWN)
    assert rig.until(lambda: rig.io.on("motor_close"), 1000) >= 0
    rig.io.put("limit_open", 0)
    rig.step(300)
    rig.io.put("photo_eye", 1)
    rig.step(10)
    assert not rig.io.on("motor_close") and rig.reg("state") == G.REVERSING
    rig.step(400)
    rig.io.put("limit_open", 1)
    rig.io.put("photo_eye", 0)
    rig.step(20)
    assert rig.reg("state") == G.OPEN
    assert rig.until(lambda: rig.io.on("motor_close"), 5000) >= 0, "lockdown close not retried"


def scenario_fire_on_evacuation_route_opens_and_holds():
    rig = Rig(G.Gate, inputs={"limit_closed": 1})
    rig.role.set_site_flags(R.FLAG_EVACUATION_ROUTE)
    assert rig.command(LOCK) == 0
    rig.step(20)
    assert rig.io.on("lock")
    rig.role.set_mode(R.MODE_FIRE)
    rig.step(20)
    assert rig.io.on("motor_open") and not rig.io.on("lock"), "fire must unlock and open"
    rig.io.put("limit_closed", 0)
    rig.step(500)
    rig.io.put("limit_open", 1)
    rig.step(20)
    assert rig.reg("state") == G.OPEN
    assert rig.command(CLOSE) == 4 and rig.command(LOCK) == 4
    rig.io.put("button_close", 1)
    rig.step(500)
    assert not rig.io.on("motor_close") and not rig.io.on("eye_test"), "local close acted on in fire"


def scenario_fire_without_evacuation_flag_changes_nothing():
    rig = Rig(G.Gate, inputs={"limit_closed": 1})
    rig.role.set_mode(R.MODE_FIRE)
    rig.step(500)
    assert not rig.io.on("motor_open")


def scenario_travel_timeout_stops_the_motor():
    rig = Rig(G.Gate, travel_timeout_s=5)
    assert rig.command(OPEN_CMD) == 0
    rig.step(20)
    assert rig.io.on("motor_open")
    rig.step(5200)
    assert not rig.io.on("motor_open") and rig.reg("state") == G.FAULT
    assert rig.reg("faults") & 1
    assert rig.command(CLOSE) == 4, "a faulted gate must not close before reset_fault"
    assert rig.command(RESET) == 0 and rig.reg("faults") == 0


def scenario_both_limits_is_a_fault_and_stops():
    rig = _open_gate()
    rig.io.put("limit_closed", 1)
    rig.step(20)
    assert rig.reg("state") == G.FAULT and rig.reg("faults") & (1 << 3)


def scenario_comm_loss_stops_and_keeps_mode():
    rig = _open_gate()
    rig.role.set_mode(R.MODE_LOCKDOWN)
    assert rig.until(lambda: rig.io.on("motor_close"), 1000) >= 0
    rig.io.put("limit_open", 0)
    rig.step(100)
    rig.role.on_comm_loss()
    rig.step(20)
    assert not rig.io.on("motor_close") and rig.reg("state") == G.STOPPED
    assert rig.role.mode == R.MODE_LOCKDOWN
    rig.step(5000)
    assert not rig.io.on("motor_close"), "automatic motion while the host is silent"


def scenario_stop_then_open_command_waits_for_the_dead_time():
    rig = _open_gate()
    _close_to_motion(rig)
    assert rig.command(OPEN_CMD) == 0
    assert not rig.io.on("motor_close") and not rig.io.on("motor_open")
    t = rig.until(lambda: rig.io.on("motor_open"), 1000)
    assert t >= 250, "reversed without the dead time (%d ms)" % t


def scenario_io_loss_stops_the_motor():
    rig = _open_gate()
    _close_to_motion(rig)
    rig.io.connected = False
    rig.io.lost = True
    rig.step(10)
    assert not rig.io.on("motor_close") and rig.reg("faults") & (1 << 5)


# ---- idle scheduling (main.py ticks the role on edges, commands and next_tick_ms only)
def scenario_idle_gate_wakes_once_a_second_and_still_reverses_on_an_obstruction():
    rig = IdleRig(G.Gate, inputs={"limit_open": 1})
    assert rig.run(60000) <= 61, "an idle gate must not tick on a short period"
    assert rig.command(CLOSE) == 0
    assert rig.until(lambda: rig.io.on("motor_close"), 1000) >= 0
    rig.edge("limit_open", 0)
    assert rig.role.next_tick_ms(rig.clock.now()) == FAST_TICK_MS, "a closing gate must tick fast"
    assert 40 <= rig.run(500) <= 51
    rig.edge("photo_eye", 1)  # the edge wakes the role: motor off in that very tick
    assert not rig.io.on("motor_close") and rig.reg("state") == G.REVERSING
    assert rig.reg("last_reaction_ms") == 0
    t = rig.until(lambda: rig.io.on("motor_open"), 2000)
    assert 290 <= t <= 320, "reversal %d ms after the stop" % t
    rig.edge("photo_eye", 0)
    rig.edge("limit_open", 1)
    assert rig.reg("state") == G.OPEN and not rig.io.on("motor_open")
    assert rig.run(10000) <= 11, "back at rest the gate idles again"


def scenario_idle_gate_edge_sensor_while_closing_is_caught_by_the_fast_tick():
    rig = IdleRig(G.Gate, inputs={"limit_open": 1})
    rig.command(CLOSE)
    assert rig.until(lambda: rig.io.on("motor_close"), 1000) >= 0
    rig.edge("limit_open", 0)
    rig.run(300)
    rig.edge("edge", 100)  # analogue: no wake-up, the next fast tick sees it
    rig.run(FAST_TICK_MS)
    assert not rig.io.on("motor_close") and rig.reg("state") == G.REVERSING
    assert rig.reg("last_reaction_ms") <= FAST_TICK_MS


def scenario_idle_gate_lockdown_closes_and_locks():
    rig = IdleRig(G.Gate, inputs={"limit_open": 1})
    rig.run(5000)
    rig.set_mode(R.MODE_LOCKDOWN)
    assert rig.until(lambda: rig.io.on("motor_close"), 1000) >= 0
    rig.edge("limit_open", 0)
    rig.run(2000)
    rig.edge("limit_closed", 1)
    assert rig.reg("state") == G.CLOSED and rig.io.on("lock")
    assert rig.run(10000) <= 11


def scenario_idle_gate_lockdown_under_key_override_waits_without_spinning():
    rig = IdleRig(G.Gate, inputs={"limit_open": 1, "key_override": 1})
    rig.set_mode(R.MODE_LOCKDOWN)  # the guard holds the key: no automatic close, nothing to time
    assert rig.run(10000) <= 11 and not rig.io.on("motor_close")
    rig.edge("key_override", 0)  # key released: the lockdown close starts at once
    assert rig.until(lambda: rig.io.on("motor_close"), 1000) >= 0
