# Rising bollard safety rules (UFGS 02840) on a stepped clock.
from core import register_map as R
from roles import bollard as B
from roles.role_base import FAST_TICK_MS

from firmware_scenarios.harness import IdleRig, Rig

RAISE, LOWER, EFO, STOP, RESET = 1, 2, 3, 4, 5


def _down(**params):
    return Rig(B.Bollard, inputs={"limit_down": 1}, **params)


def scenario_raise_warns_for_warning_ms_first():
    rig = _down(warning_ms=1000)
    assert rig.command(RAISE) == 0
    rig.step(10)
    assert rig.io.on("warning_light") and rig.io.on("sounder") and not rig.io.on("pump_up")
    assert rig.reg("state") == B.WARNING
    t = rig.until(lambda: rig.io.on("pump_up"), 3000)
    assert 980 <= t + 10 <= 1050, "pump started %d ms after the warning, not 1 s" % (t + 10)
    rig.io.put("limit_down", 0)
    rig.step(4000)
    rig.io.put("limit_up", 1)
    rig.step(10)
    assert rig.reg("state") == B.UP and not rig.io.on("pump_up")
    assert 4000 <= rig.reg("last_travel_ms") <= 4100
    assert rig.reg("cycles_this_hour") == 1


def scenario_load_on_top_stops_and_reverses_a_rise():
    rig = _down()
    rig.command(RAISE)
    assert rig.until(lambda: rig.io.on("pump_up"), 3000) >= 0
    rig.io.put("limit_down", 0)
    rig.step(500)
    rig.io.put("load", 1)
    rig.step(10)
    assert not rig.io.on("pump_up"), "kept raising into a load"
    assert rig.reg("state") == B.LOWERING
    assert rig.until(lambda: rig.io.on("valve_down"), 1000) >= 0


def scenario_efo_rises_at_once_and_times_itself():
    rig = _down()
    assert rig.command(EFO) == 0
    rig.step(10)
    assert rig.io.on("pump_up") and rig.io.on("efo_valve"), "EFO must not wait for a warning"
    assert rig.reg("efo_active") == 1
    rig.io.put("limit_down", 0)
    rig.step(1500)
    rig.io.put("limit_up", 1)
    rig.step(10)
    assert rig.reg("state") == B.UP and 1500 <= rig.reg("last_efo_ms") <= 1530


def scenario_efo_honours_load_by_default_and_not_when_configured():
    rig = _down()
    rig.command(EFO)
    rig.io.put("limit_down", 0)
    rig.step(200)
    rig.io.put("load", 1)
    rig.step(10)
    assert not rig.io.on("pump_up")
    rig = _down(efo_honours_load=0)
    rig.command(EFO)
    rig.io.put("limit_down", 0)
    rig.step(200)
    rig.io.put("load", 1)
    rig.step(10)
    assert rig.io.on("pump_up"), "efo_honours_load=0: EFO continues despite the load"


def scenario_lockdown_is_efo_and_refuses_lowering():
    rig = _down()
    rig.role.set_mode(R.MODE_LOCKDOWN)
    rig.step(10)
    assert rig.io.on("efo_valve") and rig.reg("efo_active") == 1
    assert rig.command(LOWER) == 4


def scenario_efo_input_raises():
    rig = _down()
    rig.io.put("efo_input", 1)
    rig.step(20)
    assert rig.io.on("efo_valve") and rig.io.on("pump_up")


def scenario_fire_lane_lowers_and_holds_down():
    rig = Rig(B.Bollard, inputs={"limit_up": 1})
    rig.role.set_site_flags(R.FLAG_FIRE_LANE)
    rig.role.set_mode(R.MODE_FIRE)
    rig.step(20)
    assert rig.io.on("valve_down") and rig.reg("state") == B.LOWERING
    assert rig.command(RAISE) == 4 and rig.command(EFO) == 4


def scenario_fail_secure_raises_on_comm_loss():
    rig = _down()
    rig.role.on_comm_loss()
    rig.step(10)
    assert rig.reg("state") == B.WARNING
    assert rig.until(lambda: rig.io.on("pump_up"), 3000) >= 0
    rig = _down(fail_secure=0)
    rig.role.on_comm_loss()
    rig.step(3000)
    assert rig.reg("state") == B.DOWN and not rig.io.on("pump_up")


def scenario_duty_limit_refuses_normal_rises_not_efo():
    rig = _down(cycle_limit=1)
    rig.command(RAISE)
    assert rig.until(lambda: rig.io.on("pump_up"), 3000) >= 0
    rig.io.put("limit_down", 0)
    rig.io.put("limit_up", 1)
    rig.step(20)
    rig.command(LOWER)
    rig.io.put("limit_up", 0)
    rig.step(300)
    rig.io.put("limit_down", 1)
    rig.step(20)
    assert rig.command(RAISE) == 4 and rig.reg("faults") & (1 << 2)
    assert rig.command(EFO) == 0


def scenario_pump_timeout_faults_and_stops():
    rig = _down(travel_timeout_s=3)
    rig.command(RAISE)
    assert rig.until(lambda: rig.io.on("pump_up"), 3000) >= 0
    rig.io.put("limit_down", 0)
    rig.step(3100)
    assert not rig.io.on("pump_up") and rig.reg("state") == B.FAULT
    assert rig.reg("faults") & 1 and rig.reg("faults") & (1 << 4)


def scenario_lower_while_rising_stops_first():
    rig = _down()
    rig.command(EFO)
    rig.io.put("limit_down", 0)
    rig.step(100)
    rig.role.set_mode(R.MODE_NORMAL)
    assert rig.command(LOWER) == 0
    assert not rig.io.on("pump_up") and not rig.io.on("valve_down")
    assert rig.until(lambda: rig.io.on("valve_down"), 1000) >= 50


# ---- idle scheduling (main.py ticks the role on edges, commands and next_tick_ms only)
def scenario_idle_bollard_lockdown_runs_the_efo_on_the_fast_tick_then_idles():
    rig = IdleRig(B.Bollard, inputs={"limit_down": 1})
    assert rig.run(60000) <= 61, "an idle bollard must not tick on a short period"
    rig.set_mode(R.MODE_LOCKDOWN)
    assert rig.io.on("pump_up") and rig.io.on("efo_valve")
    rig.edge("limit_down", 0)
    assert rig.role.next_tick_ms(rig.clock.now()) == FAST_TICK_MS
    rig.run(1200)
    rig.edge("limit_up", 1)
    assert rig.reg("state") == B.UP and not rig.io.on("pump_up")
    assert 1200 <= rig.reg("last_efo_ms") <= 1210
    assert rig.run(10000) <= 11


def scenario_idle_bollard_warning_then_rise_keeps_its_timing():
    rig = IdleRig(B.Bollard, inputs={"limit_down": 1}, warning_ms=1000)
    assert rig.command(RAISE) == 0
    t = rig.until(lambda: rig.io.on("pump_up"), 3000)
    assert 1000 <= t <= 1010, "pump started %d ms after the warning" % t
    rig.edge("limit_down", 0)
    rig.run(500)
    rig.edge("load", 1)  # a load on top reverses the rise at once
    assert not rig.io.on("pump_up") and rig.reg("state") == B.LOWERING


def scenario_idle_bollard_held_efo_waits_for_the_load_without_spinning():
    rig = IdleRig(B.Bollard, inputs={"limit_down": 1, "load": 1}, efo_honours_load=1)
    rig.set_mode(R.MODE_LOCKDOWN)
    assert not rig.io.on("pump_up"), "an EFO that honours the load must not rise onto it"
    assert rig.run(10000) <= 11, "waiting for the load to leave needs no tick"
    rig.edge("load", 0)  # the load leaves: the held EFO goes at once
    assert rig.until(lambda: rig.io.on("pump_up"), 2100) >= 0
