# Rising anti-ram bollard (UFGS 02840, Gibidi DPT260 manual).
# Safety rules kept here:
#   - warning light and sounder warning_ms (>= 1 s) before every normal rise;
#   - a load on top stops and reverses a normal rise, and an EFO rise when efo_honours_load = 1;
#   - EFO (emergency fast raise) by command, by lockdown mode and by the hard-wired efo_input,
#     never blocked by the duty limit; its time is measured against efo_timeout_ms (<= 2.5 s);
#   - pump run timer: a rise or lower longer than its timeout stops and faults; at most
#     cycle_limit normal cycles an hour;
#   - fail-secure (fail_secure = 1): faults stop where it stands (hydraulics hold), comm loss raises;
#   - fire mode on a fire lane: lower and hold down so appliances can pass.
# _hydraulics() is the one choke point: pump and lowering valve are never on together and a change
# of direction stops first for _REVERSE_DEAD_MS.
from core import register_map as R
from core.ticks import ticks_add, ticks_diff

from roles.role_base import FAST_TICK_MS, IDLE_TICK_MS, RoleBase

try:
    from micropython import const
except ImportError:  # CPython host tests

    def const(x):
        return x


UNKNOWN = const(0)
DOWN = const(1)
RISING = const(2)
UP = const(3)
LOWERING = const(4)
STOPPED = const(5)
FAULT = const(6)
WARNING = const(7)

_OUT_PUMP = const(0x01)
_OUT_VALVE_DOWN = const(0x02)
_OUT_EFO_VALVE = const(0x04)
_OUT_LIGHT = const(0x08)
_OUT_SOUNDER = const(0x10)

_F_TRAVEL = const(0)
_F_BOTH_LIMITS = const(1)
_F_DUTY = const(2)
_F_IO = const(3)
_F_PUMP = const(4)

_HALT = const(0)
_RAISE = const(1)
_EFO = const(2)
_LOWER = const(3)
_WARN = const(4)

_REVERSE_DEAD_MS = const(100)  # valves settle before the other direction
_EFO_RETRY_MS = const(2000)  # a held EFO (lockdown, input) tries again after a load reversal
_BUCKET_MS = const(300000)  # pump duty window: 12 buckets of 5 min = one hour
_BUCKETS = const(12)


class Bollard(RoleBase):
    CODE = R.ROLE_BOLLARD
    BLOCK = R.role_block(R.ROLE_BOLLARD)
    STATE_NAMES = R.state_names(R.ROLE_BOLLARD)
    OUTPUT_IO = ("pump_up", "valve_down", "efo_valve", "warning_light", "sounder")
    COMM_LOSS_ACTION = "fail_secure=1: raise (with warning) and stay up; fail_secure=0: hold where it is"

    def __init__(self, bank, io, clock, log=None):
        super().__init__(bank, io, clock, log)
        now = clock.now()
        self._action = _HALT
        self._last_dir = 0  # 1 up, -1 down
        self._stopped_at = now
        self._pending = _HALT
        self._pending_at = 0
        self._started = now
        self._efo = False  # the current rise is an EFO
        self._efo_retry_at = now
        self._buckets = bytearray(_BUCKETS * 2)
        self._bucket_i = 0
        self._bucket_at = now
        self._efo_input_was = 0
        self._in = 0

    # ---------------------------------------------------------------- the hydraulics choke point
    def _hydraulics(self, action):
        now = self.clock.now()
        direction = 1 if action in (_RAISE, _EFO) else -1 if action == _LOWER else 0
        current = 1 if self._action in (_RAISE, _EFO) else -1 if self._action == _LOWER else 0
        if direction and (
            current == -direction
            or (self._last_dir == -direction and ticks_diff(now, self._stopped_at) < _REVERSE_DEAD_MS)
        ):
            self._set_outputs(_HALT, now)
            self._pending = action
            self._pending_at = ticks_add(self._stopped_at, _REVERSE_DEAD_MS)
            return
        self._pending = _HALT
        self._set_outputs(action, now)

    def _set_outputs(self, action, now):
        if self._action in (_RAISE, _EFO, _LOWER) and action != self._action:
            self._last_dir = -1 if self._action == _LOWER else 1
            self._stopped_at = now
        if action != self._action and action in (_RAISE, _EFO, _LOWER):
            self._started = now
        self._action = action
        if action == _RAISE:
            bits = _OUT_PUMP | _OUT_LIGHT
        elif action == _EFO:
            bits = _OUT_PUMP | _OUT_EFO_VALVE | _OUT_LIGHT | _OUT_SOUNDER
        elif action == _LOWER:
            bits = _OUT_VALVE_DOWN | _OUT_LIGHT
        elif action == _WARN:
            bits = _OUT_LIGHT | _OUT_SOUNDER
        else:
            bits = 0
        self._write_outputs(bits)

    def safe_state(self):
        self._hydraulics(_HALT)

    # ---------------------------------------------------------------- helpers
    def _fire_lane_hold(self):
        return self.mode == R.MODE_FIRE and self.site_flags & R.FLAG_FIRE_LANE

    def _efo_held(self):
        if self._fire_lane_hold():
            return False
        return self.mode == R.MODE_LOCKDOWN or bool(self._in & 0x08)

    def _set_efo_active(self, on):
        v = 1 if on else 0
        if self.reg("efo_active") != v:
            self.put("efo_active", v)
            self.bump_event()

    def _count_cycle(self):
        i = self._bucket_i * 2
        n = self._buckets[i] | (self._buckets[i + 1] << 8)
        n = min(n + 1, 0xFFFF)
        self._buckets[i] = n & 0xFF
        self._buckets[i + 1] = n >> 8
        self._update_cycles()

    def _update_cycles(self):
        total = 0
        for i in range(_BUCKETS):
            total += self._buckets[2 * i] | (self._buckets[2 * i + 1] << 8)
        self.put("cycles_this_hour", min(total, 0xFFFF))
        if total >= self.reg("cycle_limit"):
            self.set_fault(_F_DUTY)  # here, not in check_command: a refused write changes nothing

    def _rotate_buckets(self, now):
        while ticks_diff(now, self._bucket_at) >= _BUCKET_MS:
            self._bucket_at = ticks_add(self._bucket_at, _BUCKET_MS)
            self._bucket_i = (self._bucket_i + 1) % _BUCKETS
            self._buckets[2 * self._bucket_i] = 0
            self._buckets[2 * self._bucket_i + 1] = 0
            self._update_cycles()

    # ---------------------------------------------------------------- host side
    def check_command(self, value):
        if value == 1:
            if self._fire_lane_hold():
                return 4  # fire lane: held down for the appliances
            if self.reg("cycles_this_hour") >= self.reg("cycle_limit"):
                return 4  # pump duty limit reached (duty_limit is raised when it is reached)
        if value == 2 and self._efo_held():
            return 4  # EFO is held (lockdown or hard-wired input): lowering refused
        if value == 3 and self._fire_lane_hold():
            return 4
        return 0

    def command(self, value):
        self._read_inputs()  # act on the inputs as they are now, not as of the last tick
        if value == 1:
            self._request_raise()
        elif value == 2:
            self._request_lower()
        elif value == 3:
            self._request_efo()
        elif value == 4:
            self._stop(STOPPED)
        elif value == 5:
            self.clear_faults()
            if self.state == FAULT:
                self.set_state(self._rest_state(), "fault reset")

    def set_mode(self, mode):
        self._read_inputs()
        old = self.mode
        self.mode = mode
        if mode == old:
            return
        if mode == R.MODE_LOCKDOWN:
            self._request_efo()
        elif self._fire_lane_hold():
            self._set_efo_active(False)
            self._request_lower()
        elif not self._efo_held():
            self._set_efo_active(False)

    def set_site_flags(self, flags):
        self.site_flags = flags
        if self._fire_lane_hold():
            self._request_lower()

    def on_comm_loss(self):
        self.comm_lost = True
        if self.reg("fail_secure") and self.state not in (UP, RISING, WARNING):
            if not self._fire_lane_hold():
                self._request_raise()

    # ---------------------------------------------------------------- actions
    def _rest_state(self):
        if self._in & 0x01:
            return UP
        if self._in & 0x02:
            return DOWN
        return STOPPED

    def _stop(self, new_state, why=""):
        self._hydraulics(_HALT)
        self.set_state(new_state, why)

    def _request_raise(self):
        if self._in & 0x01:
            self._hydraulics(_HALT)
            self.set_state(UP)
            return
        if self.state in (WARNING, RISING) or self._in & 0x04:
            return  # already on its way, or a load on top: never start a rise onto it
        if self.state == FAULT and self.has_fault(_F_BOTH_LIMITS):
            return
        self._efo = False
        self._hydraulics(_WARN)
        self._warn_until = ticks_add(self.clock.now(), self.reg("warning_ms"))
        self.set_state(WARNING, "warning before rise")

    def _request_efo(self):
        self._set_efo_active(True)
        if self._in & 0x01:
            self._hydraulics(_HALT)
            self.set_state(UP)
            return
        if self._in & 0x04 and self.reg("efo_honours_load"):
            return  # load on top and the site honours it: wait (held EFO retries)
        if self.state == RISING and self._efo:
            return
        self._efo = True
        self._count_cycle()
        self._hydraulics(_EFO)
        self.set_state(RISING, "emergency fast raise")

    def _request_lower(self):
        if self._in & 0x02:
            self._hydraulics(_HALT)
            self.set_state(DOWN)
            return
        if self.state == LOWERING:
            return
        self._efo = False
        self._hydraulics(_LOWER)
        self.set_state(LOWERING)

    # ---------------------------------------------------------------- the periodic step
    def next_tick_ms(self, now):
        # Warning, rising, lowering or settling valves: the fast tick times the pump and watches
        # the load and the limits. A held EFO waiting out a load reversal retries at its deadline.
        if not self.io.connected:
            return IDLE_TICK_MS  # nothing to read; the reconnect wakes us
        if self._action != _HALT or self._pending or self.state in (WARNING, RISING, LOWERING):
            return FAST_TICK_MS
        waiting_for_load = self._in & 0x04 and self.reg("efo_honours_load")  # its removal is an edge
        if self._efo_held() and self.state not in (UP, FAULT) and not waiting_for_load:
            return self.until(self._efo_retry_at, now)
        return IDLE_TICK_MS

    def _read_inputs(self):
        io = self.io
        bits = 0
        if io.get("limit_up"):
            bits |= 0x01
        if io.get("limit_down"):
            bits |= 0x02
        if io.get("load"):
            bits |= 0x04
        if io.get("efo_input"):
            bits |= 0x08
        self._in = bits
        if self.reg("inputs") != bits:
            self.put("inputs", bits)
        return bits

    def tick(self):
        now = self.clock.now()
        self._rotate_buckets(now)
        if not self.io.connected:  # booting (not yet connected) or lost
            if self.io.lost and not self.has_fault(_F_IO):
                self.set_fault(_F_IO)
                self.safe_state()  # hydraulics closed: the bollard holds where it stands
                if self.state in (RISING, LOWERING, WARNING):
                    self.set_state(STOPPED, "io lost")
            return
        if self.has_fault(_F_IO):
            self.clear_faults(1 << _F_IO)
        bits = self._read_inputs()
        if self.state == UNKNOWN:
            self.set_state(self._rest_state(), "boot")
        elif self.state == STOPPED and self._action == _HALT and not self._pending:
            if bits & 0x03:  # at rest on a limit: the limit tells the truth
                self.set_state(self._rest_state(), "limit")
        if bits & 0x03 == 0x03:
            if not self.has_fault(_F_BOTH_LIMITS):
                self.set_fault(_F_BOTH_LIMITS)
                self.safe_state()
                self.set_state(FAULT, "both limit switches")
            return
        if self._pending and ticks_diff(now, self._pending_at) >= 0:
            self._hydraulics(self._pending)
        self._check_motion(now, bits)
        self._holds(now, bits)

    def _check_motion(self, now, bits):
        state = self.state
        if state == WARNING:
            if bits & 0x04:
                self._stop(self._rest_state(), "load on top during warning")
            elif ticks_diff(now, self._warn_until) >= 0:
                self._count_cycle()
                self._hydraulics(_RAISE)
                self.set_state(RISING, "rise")
            return
        if state == RISING:
            if bits & 0x04 and (not self._efo or self.reg("efo_honours_load")):
                self._efo = False
                self._hydraulics(_LOWER)  # stops first, then lowers after the dead time
                self.set_state(LOWERING, "load on top: reverse")
                self._efo_retry_at = ticks_add(now, _EFO_RETRY_MS)
                return
            if bits & 0x01:
                elapsed = ticks_diff(now, self._started)
                self._hydraulics(_HALT)
                self.put("last_efo_ms" if self._efo else "last_travel_ms", min(elapsed, 0xFFFF))
                self._efo = False
                self.set_state(UP, "up limit")
                return
            limit = self.reg("efo_timeout_ms") if self._efo else self.reg("travel_timeout_s") * 1000
            if self._action in (_RAISE, _EFO) and ticks_diff(now, self._started) > limit:
                self._travel_fault(_F_PUMP, "pump ran past its timeout")
            return
        if state == LOWERING:
            if bits & 0x02:
                elapsed = ticks_diff(now, self._started)
                self._hydraulics(_HALT)
                self.put("last_travel_ms", min(elapsed, 0xFFFF))
                self.set_state(DOWN, "down limit")
                return
            limit = self.reg("travel_timeout_s") * 1000
            if self._action == _LOWER and ticks_diff(now, self._started) > limit:
                self._travel_fault(-1, "lowering timeout")

    def _travel_fault(self, extra_bit, why):
        self._hydraulics(_HALT)  # fail-secure: hydraulics closed, the bollard holds where it is
        self._efo = False
        self.set_fault(_F_TRAVEL)
        if extra_bit >= 0:
            self.set_fault(extra_bit)
        self.set_state(FAULT, why)

    def _holds(self, now, bits):
        if self._fire_lane_hold():
            if self.state not in (DOWN, LOWERING, FAULT) and not self._pending:
                self._request_lower()
            return
        held = self._efo_held()
        if bits & 0x08 and not self._efo_input_was:
            self._request_efo()
        self._efo_input_was = bits & 0x08
        if not held:
            if self.reg("efo_active") and self.state != RISING:
                self._set_efo_active(False)
            return
        self._set_efo_active(True)
        if self.state in (UP, RISING, FAULT) or self._pending or self._action != _HALT:
            return
        if ticks_diff(now, self._efo_retry_at) >= 0 and not (
            bits & 0x04 and self.reg("efo_honours_load")
        ):
            self._efo_retry_at = ticks_add(now, _EFO_RETRY_MS)
            self._request_efo()
