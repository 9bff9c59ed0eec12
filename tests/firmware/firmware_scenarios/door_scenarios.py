# Door controller rules (free egress always, lockdown refuses entry, fire releases evacuation
# routes, forced/held-open alarms, comm-loss action) on a stepped clock.
from core import register_map as R
from roles import door as D

from firmware_scenarios.harness import Rig


def _rig(flags=0, **params):
    rig = Rig(D.Door, **params)
    rig.bank.set(R.address(R.COMMON, "site_flags"), flags)
    rig.role.set_site_flags(flags)
    rig.step(20)
    return rig


def _mode(rig, mode):
    rig.bank.set(R.address(R.COMMON, "mode"), mode)
    rig.role.set_mode(mode)
    rig.step(20)


def _rex(rig, ms=300):
    rig.io.put("rex", 1)
    rig.step(ms)
    rig.io.put("rex", 0)
    rig.step(20)


def scenario_maglock_holds_by_default_and_strike_polarity_is_inverted():
    rig = _rig()
    assert rig.reg("locked") == 1 and rig.io.on("lock_coil"), "a maglock is energised to hold"
    assert rig.reg("state") == D.CLOSED_LOCKED
    strike = _rig(R.FLAG_FAIL_SECURE)
    assert strike.reg("locked") == 1 and not strike.io.on("lock_coil"), "a strike holds unpowered"


def scenario_rex_releases_in_lockdown_and_opening_is_not_forced():
    for flags in (0, R.FLAG_FAIL_SECURE):
        rig = _rig(flags, unlock_ms=3000)
        _mode(rig, R.MODE_LOCKDOWN)
        assert rig.reg("locked") == 1
        rig.io.put("rex", 1)
        rig.step(10)
        assert rig.reg("locked") == 0, "REX must release the lock in lockdown (free egress)"
        assert rig.io.on("lock_coil") == bool(flags), "coil must release the door"
        assert rig.role.busy()
        rig.io.put("door_open", 1)
        rig.step(500)
        rig.io.put("rex", 0)
        rig.step(1000)
        rig.io.put("door_open", 0)
        rig.step(2000)
        assert rig.reg("alarms") == 0, "egress through REX is not a forced door"
        assert rig.reg("locked") == 1, "relocked after unlock_ms in lockdown"
        assert rig.reg("rex_count") == 1 and not rig.role.busy()


def scenario_lockdown_refuses_entry_commands_all_or_nothing():
    rig = _rig()
    assert rig.command(1) == 0
    rig.step(20)
    assert rig.reg("locked") == 0 and rig.reg("unlock_held") == 1
    _mode(rig, R.MODE_LOCKDOWN)
    assert rig.reg("locked") == 1 and rig.reg("unlock_held") == 0, "lockdown ends the held unlock"
    assert rig.command(1) == 4 and rig.command(3) == 4
    rig.step(20)
    assert rig.reg("locked") == 1 and rig.reg("unlock_held") == 0
    rig.io.put("button_unlock", 1)
    rig.step(50)
    assert rig.reg("locked") == 1, "the local unlock button is ignored in lockdown"
    assert rig.command(7) == 3


def scenario_fire_releases_evacuation_route_only_and_refuses_lock():
    route = _rig(R.FLAG_EVACUATION_ROUTE)
    other = _rig()
    for rig in (route, other):
        _mode(rig, R.MODE_FIRE)
    assert route.reg("locked") == 0 and not route.io.on("lock_coil")
    assert route.command(2) == 4 and route.reg("locked") == 0
    assert other.reg("locked") == 1 and other.command(2) == 0
    _mode(route, R.MODE_NORMAL)
    assert route.reg("locked") == 1


def scenario_forced_open_latches_until_reset_and_sounds():
    rig = _rig()
    rig.step(2000)
    rig.io.put("door_open", 1)
    rig.step(20)
    assert rig.reg("alarms") & 1 and rig.reg("state") == D.FORCED_OPEN
    assert rig.io.on("sounder") and rig.reg("forced_count") == 1
    rig.io.put("door_open", 0)
    rig.step(100)
    assert rig.reg("alarms") & 1, "forced open latches"
    assert rig.command(4) == 0
    rig.step(20)
    assert rig.reg("alarms") == 0 and not rig.io.on("sounder")
    assert rig.reg("state") == D.CLOSED_LOCKED


def scenario_held_open_alarm_after_held_open_s_clears_on_close():
    rig = _rig(held_open_s=5)
    assert rig.command(3) == 0  # pulse unlock (access granted)
    rig.step(20)
    rig.io.put("door_open", 1)
    rig.step(4900)
    assert rig.reg("alarms") == 0 and rig.reg("state") == D.OPEN
    rig.step(200)
    assert rig.reg("alarms") & 2 and rig.reg("state") == D.HELD_OPEN and rig.io.on("sounder")
    rig.io.put("door_open", 0)
    rig.step(20)
    assert rig.reg("alarms") == 0 and rig.reg("state") == D.CLOSED_LOCKED


def scenario_schedule_hold_open_is_not_an_alarm():
    rig = _rig(held_open_s=5)
    rig.command(1)
    rig.io.put("door_open", 1)
    rig.step(20000)
    assert rig.reg("alarms") == 0


def scenario_comm_loss_action_per_door():
    keep = _rig(comm_loss_action=0)
    lock = _rig(comm_loss_action=1)
    unlock = _rig(comm_loss_action=2)
    for rig in (keep, lock):
        rig.command(1)
        rig.step(20)
    for rig in (keep, lock, unlock):
        rig.role.on_comm_loss()
        rig.step(20)
    assert keep.reg("locked") == 0
    assert lock.reg("locked") == 1
    assert unlock.reg("locked") == 0
    unlock.role.on_comm_restored()
    unlock.step(20)
    assert unlock.reg("locked") == 1


def scenario_io_loss_is_the_declared_safe_state():
    rig = _rig()
    rig.io.connected = False
    rig.io.lost = True
    rig.step(20)
    assert not rig.io.on("lock_coil") and rig.reg("faults") & 1


def scenario_lock_type_change_rewrites_the_coil_both_ways():
    rig = _rig()
    rig.role.set_site_flags(R.FLAG_FAIL_SECURE)
    rig.step(20)
    assert not rig.io.on("lock_coil") and rig.reg("locked") == 1
    rig.role.set_site_flags(0)
    rig.step(20)
    assert rig.io.on("lock_coil"), "a maglock must be energised to hold"
