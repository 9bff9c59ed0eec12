# Gate / barrier controller (UL 325 via DASMA TDS-353, GB 50116 §4.10.3).
# Safety rules kept here:
#   - the motor never drives both ways; a reversal stops first and waits _REVERSE_DEAD_MS
#     (_drive() is the one choke point for the motor);
#   - photo-eye and edge are MONITORED before every close; a failed test means hold-to-run only;
#   - an obstruction while closing (beam, edge, or a vehicle on the loop) stops the motor in the
#     same tick and reverses to open; a second edge contact during that reversal stops only;
#   - lockdown closes and locks (local buttons ignored unless the key override is turned) and
#     retries a close that an obstruction reversed; fire on an evacuation route opens and holds.
from core import register_map as R
from core.io_map import edge_thresholds
from core.ticks import ticks_add, ticks_diff

from roles.role_base import FAST_TICK_MS, IDLE_TICK_MS, RoleBase

try:
    from micropython import const
except ImportError:  # CPython host tests

    def const(x):
        return x


UNKNOWN = const(0)
CLOSED = const(1)
OPENING = const(2)
OPEN = const(3)
CLOSING = const(4)
STOPPED = const(5)
REVERSING = const(6)
FAULT = const(7)

_OUT_MOTOR_OPEN = const(0x01)
_OUT_MOTOR_CLOSE = const(0x02)
_OUT_LOCK = const(0x04)
_OUT_WARNING = const(0x08)
_OUT_EYE_TEST = const(0x10)
_MOTOR_BITS = const(0x0B)  # both motor outputs and the warning light that follows them

_F_TRAVEL = const(0)
_F_EYE = const(1)
_F_EDGE = const(2)
_F_BOTH_LIMITS = const(3)
_F_SECOND = const(4)
_F_IO = const(5)

_REVERSE_DEAD_MS = const(300)  # motor at rest before driving the other way (UL 325: reverse < 2 s)
_EYE_TEST_MS = const(300)  # a healthy photo-eye reports "interrupted" this soon after its emitter is off
_LOCKDOWN_RETRY_MS = const(2000)  # lockdown close retried this long after a reversal or a blocked path

_TEST_NONE = const(0)
_TEST_EMITTER_OFF = const(1)  # waiting for the eye to report interrupted
_TEST_EMITTER_ON = const(2)  # waiting for the beam to come back


class Gate(RoleBase):
    CODE = R.ROLE_GATE
    BLOCK = R.role_block(R.ROLE_GATE)
    STATE_NAMES = R.state_names(R.ROLE_GATE)
    OUTPUT_IO = ("motor_open", "motor_close", "lock", "warning_light", "eye_test")
    COMM_LOSS_ACTION = "stop; keep the current mode; no automatic motion until the host is back"

    def __init__(self, bank, io, clock, log=None):
        super().__init__(bank, io, clock, log)
        self._dir = 0  # motor direction now: 1 open, -1 close, 0 stopped
        self._last_dir = 0
        self._stopped_at = clock.now()
        self._pending_dir = 0  # direction to start once the reversal dead time is over
        self._pending_at = 0
        self._move_started = 0
        self._hold_run = False  # the current motion is hold-to-run (button held)
        self._test = _TEST_NONE
        self._test_deadline = 0
        self._lock_when_closed = False
        self._retry_at = None  # lockdown: when to try the close again
        self._buttons = 0  # previous button bits for edge detection
        self._edge_was_pressed = False
        self._in = 0
        self._edge_open_circuit = False
        self._edge_pressed_below, self._edge_open_above = edge_thresholds()

    # ---------------------------------------------------------------- the motor choke point
    def _drive(self, direction):
        now = self.clock.now()
        if direction == 0:
            self._pending_dir = 0
            if self._dir != 0:
                self._last_dir = self._dir
                self._stopped_at = now
            self._dir = 0
            self._set_motor_bits(0)
            return
        if direction == self._dir:
            return
        reversing = self._dir == -direction or (
            self._last_dir == -direction
            and ticks_diff(now, self._stopped_at) < _REVERSE_DEAD_MS
        )
        if reversing:
            # A reversal stops first: never from one direction straight into the other.
            if self._dir != 0:
                self._last_dir = self._dir
                self._stopped_at = now
            self._dir = 0
            self._set_motor_bits(0)
            self._pending_dir = direction
            self._pending_at = ticks_add(self._stopped_at, _REVERSE_DEAD_MS)
            return
        self._pending_dir = 0
        self._dir = direction
        self._move_started = now
        self._set_motor_bits(
            (_OUT_MOTOR_OPEN if direction > 0 else _OUT_MOTOR_CLOSE) | _OUT_WARNING
        )

    def _set_motor_bits(self, bits):
        self._write_outputs((self.outputs & ~_MOTOR_BITS) | bits)

    def _set_lock(self, on):
        if on:
            self._write_outputs(self.outputs | _OUT_LOCK)
        else:
            self._write_outputs(self.outputs & ~_OUT_LOCK)
        if self.reg("locked") != (1 if on else 0):
            self.put("locked", 1 if on else 0)
            self.bump_event()

    def _set_eye_test(self, on):
        if on:
            self._write_outputs(self.outputs | _OUT_EYE_TEST)
        else:
            self._write_outputs(self.outputs & ~_OUT_EYE_TEST)

    def safe_state(self):
        self._drive(0)
        self._set_eye_test(False)
        self._test = _TEST_NONE

    # ---------------------------------------------------------------- inputs
    def _read_inputs(self):
        io = self.io
        edge = io.get("edge")
        bits = 0
        if io.get("limit_open"):
            bits |= 0x01
        if io.get("limit_closed"):
            bits |= 0x02
        if io.get("photo_eye"):
            bits |= 0x04
        if edge < self._edge_pressed_below:
            bits |= 0x08
        if io.get("loop"):
            bits |= 0x10
        if io.get("key_override"):
            bits |= 0x20
        if io.get("button_open"):
            bits |= 0x40
        if io.get("button_close"):
            bits |= 0x80
        self._in = bits
        self._edge_open_circuit = edge > self._edge_open_above
        if self.reg("inputs") != bits:
            self.put("inputs", bits)
        return bits

    # ---------------------------------------------------------------- host side
    def _fire_hold(self):
        return self.mode == R.MODE_FIRE and self.site_flags & R.FLAG_EVACUATION_ROUTE

    def check_command(self, value):
        if value in (2, 4) and self._fire_hold():
            return 4  # fire egress: the gate holds open, close and lock are refused
        if value == 2 and self.reg("hold_to_run"):
            return 4  # monitoring failed: only a held local button may close (UL 325)
        if value == 2 and self.state == FAULT:
            return 4  # a faulted gate closes again only after reset_fault
        return 0

    def command(self, value):
        self._read_inputs()  # act on the inputs as they are now, not as of the last tick
        if value == 1:
            self._request_open()
        elif value == 2:
            self._request_close()
        elif value == 3:
            self._stop(STOPPED)
        elif value == 4:
            self._request_lock()
        elif value == 5:
            self._lock_when_closed = False
            self._set_lock(False)
        elif value == 6:
            self.clear_faults()
            self.put("hold_to_run", 0)
            if self.state == FAULT:
                self.set_state(STOPPED, "fault reset")

    def set_mode(self, mode):
        self._read_inputs()
        old = self.mode
        self.mode = mode
        if mode == old:
            return
        if mode == R.MODE_LOCKDOWN:
            self._lock_when_closed = True
            self._retry_at = self.clock.now()
        else:
            self._retry_at = None
            if old == R.MODE_LOCKDOWN:
                self._lock_when_closed = False
        if self._fire_hold():
            self._request_open()

    def set_site_flags(self, flags):
        self.site_flags = flags
        if self._fire_hold():
            self._request_open()

    def on_comm_loss(self):
        self.comm_lost = True
        if self._dir != 0 or self._pending_dir != 0 or self._test:
            self._abort_test()
            self._stop(STOPPED, "comm loss")

    # ---------------------------------------------------------------- actions
    def _stop(self, new_state, why=""):
        self._drive(0)
        self._hold_run = False
        self.set_state(new_state, why)

    def _request_open(self):
        if self.state == FAULT and self.has_fault(_F_BOTH_LIMITS):
            return
        self._abort_test()
        self._lock_when_closed = self._lock_when_closed and self.mode == R.MODE_LOCKDOWN
        self._set_lock(False)
        if self._in & 0x01:
            self._drive(0)
            self.set_state(OPEN)
            return
        self._drive(1)
        self._hold_run = False
        self.set_state(OPENING)

    def _request_lock(self):
        if self._in & 0x02 and self._dir == 0:
            self._set_lock(True)
        else:
            self._lock_when_closed = True

    def _request_close(self):
        """Remote or automatic close: monitor the photo-eye and edge first (UL 325)."""
        if self._fire_hold() or self.reg("hold_to_run") or self.state == FAULT:
            return
        if self._in & 0x02:
            self._drive(0)
            self.set_state(CLOSED)
            if self._lock_when_closed:
                self._set_lock(True)
            return
        if self._dir == -1 or self._test:
            return
        if self._dir == 1:
            self._stop(STOPPED)
        self._test = _TEST_EMITTER_OFF
        self._test_deadline = ticks_add(self.clock.now(), _EYE_TEST_MS)
        self._set_eye_test(True)

    def _abort_test(self):
        if self._test:
            self._test = _TEST_NONE
            self._set_eye_test(False)

    def _monitor_failed(self, bit, why):
        self._abort_test()
        self.set_fault(bit)
        self.put("hold_to_run", 1)
        self.bump_event()
        if self._dir == -1 and not self._hold_run:
            self._stop(STOPPED, why)
        if self.log:
            self.log("monitoring failed: %s -> hold-to-run only" % why)

    def _run_test(self, now):
        blocked = self._in & 0x04
        if self._test == _TEST_EMITTER_OFF:
            if blocked:
                self._test = _TEST_EMITTER_ON
                self._test_deadline = ticks_add(now, _EYE_TEST_MS)
                self._set_eye_test(False)
            elif ticks_diff(now, self._test_deadline) >= 0:
                self._monitor_failed(_F_EYE, "photo-eye did not report its emitter off")
            return
        # _TEST_EMITTER_ON: the beam must come back, then the edge must read healthy.
        if blocked:
            if ticks_diff(now, self._test_deadline) >= 0:
                self._test = _TEST_NONE  # something stands in the beam: not a fault, no close
                self._retry_later(now)
            return
        self._test = _TEST_NONE
        if self._edge_open_circuit:
            self._monitor_failed(_F_EDGE, "edge circuit open")
            return
        if self._in & 0x18:  # edge pressed or a vehicle on the loop: never close onto it
            self._retry_later(now)
            return
        self._drive(-1)
        self._hold_run = False
        self.set_state(CLOSING)

    def _retry_later(self, now):
        if self.mode == R.MODE_LOCKDOWN:
            self._retry_at = ticks_add(now, _LOCKDOWN_RETRY_MS)

    def _obstruction(self, now, sensed_at):
        self._drive(0)  # motor off in this very tick; the reversal starts after the dead time
        reaction = ticks_diff(now, sensed_at) if sensed_at is not None else 0
        self.put("last_reaction_ms", max(0, min(reaction, 0xFFFF)))
        self.put("obstruction_count", self.reg("obstruction_count") + 1)
        self.bump_event()
        if self._hold_run:
            self._hold_run = False
            self.set_state(STOPPED, "obstruction (hold-to-run: stop only)")
            return
        self._drive(1)
        self._edge_was_pressed = bool(self._in & 0x08)
        self.set_state(REVERSING, "obstruction while closing")
        self._retry_later(now)

    # ---------------------------------------------------------------- the periodic step
    def next_tick_ms(self, now):
        # Moving, reversing, waiting out the dead time or testing the photo-eye: the fast tick
        # watches beam, edge and loop (UL 325 reversal). At rest only the inputs' edges matter.
        if not self.io.connected:
            return IDLE_TICK_MS  # nothing to read; the reconnect wakes us
        if self._dir or self._pending_dir or self._test or self.state in (OPENING, CLOSING, REVERSING):
            return FAST_TICK_MS
        if (
            self.mode == R.MODE_LOCKDOWN
            and self._retry_at is not None
            and self.state not in (CLOSED, FAULT)
            and not self.comm_lost
            and not self._in & 0x20
        ):
            return self.until(self._retry_at, now)  # the lockdown close is retried then
        return IDLE_TICK_MS

    def tick(self):
        now = self.clock.now()
        if not self.io.connected:  # booting (not yet connected) or lost
            if self.io.lost and not self.has_fault(_F_IO):
                self.set_fault(_F_IO)
                self.safe_state()
                if self.state in (OPENING, CLOSING, REVERSING):
                    self.set_state(STOPPED, "io lost")
            return
        if self.has_fault(_F_IO):
            self.clear_faults(1 << _F_IO)
        bits = self._read_inputs()
        if self.state == UNKNOWN:
            self.set_state(CLOSED if bits & 0x02 else OPEN if bits & 0x01 else STOPPED, "boot")
        elif self.state == STOPPED and not (self._dir or self._pending_dir or self._test):
            if bits & 0x03:  # at rest on a limit: the limit tells the truth
                self.set_state(CLOSED if bits & 0x02 else OPEN, "limit")

        if bits & 0x03 == 0x03:
            if not self.has_fault(_F_BOTH_LIMITS):
                self.set_fault(_F_BOTH_LIMITS)
                self.safe_state()
                self.set_state(FAULT, "both limit switches")
            return

        if self._edge_open_circuit and not self.has_fault(_F_EDGE):
            self._monitor_failed(_F_EDGE, "edge circuit open")

        if self._pending_dir and ticks_diff(now, self._pending_at) >= 0:
            self._drive(self._pending_dir)

        self._check_motion(now, bits)
        if self._test:
            self._run_test(now)
        self._local_buttons(bits)
        self._mode_automation(now, bits)

    def _check_motion(self, now, bits):
        moving = self._dir != 0 or self._pending_dir != 0
        if not moving:
            return
        state = self.state
        if self._dir == -1:  # closing, whatever the state says: the obstruction checks always run
            if bits & 0x14 or bits & 0x08:
                if bits & 0x08:
                    sensed = self.io.changed_at("edge")
                elif bits & 0x04:
                    sensed = self.io.changed_at("photo_eye")
                else:
                    sensed = self.io.changed_at("loop")
                self._obstruction(now, sensed)
                return
            if self._hold_run and not bits & 0x80:
                self._stop(STOPPED, "close button released (hold-to-run)")
                return
            if bits & 0x02:
                self._arrived(now, CLOSED)
                return
        elif self._dir == 1 or self._pending_dir == 1:
            pressed = bool(bits & 0x08)
            if state == REVERSING and pressed and not self._edge_was_pressed:
                self._stop(STOPPED, "second edge contact while reversing: stop only")
                self.set_fault(_F_SECOND)
                return
            self._edge_was_pressed = pressed
            if self._hold_run and not bits & 0x40:
                self._stop(STOPPED, "open button released (hold-to-run)")
                return
            if bits & 0x01 and self._dir == 1:
                self._arrived(now, OPEN)
                return
        if self._dir != 0:
            limit_ms = self.reg("travel_timeout_s") * 1000
            if ticks_diff(now, self._move_started) > limit_ms:
                self._drive(0)
                self.set_fault(_F_TRAVEL)
                self.set_state(FAULT, "travel timeout")

    def _arrived(self, now, new_state):
        travel = ticks_diff(now, self._move_started)
        self._drive(0)
        self._hold_run = False
        self.put("last_travel_ms", min(travel, 0xFFFF))
        self.set_state(new_state, "limit")
        if new_state == CLOSED and self._lock_when_closed:
            self._set_lock(True)

    def _local_buttons(self, bits):
        pressed = bits & ~self._buttons
        self._buttons = bits & 0xC0
        if self.mode == R.MODE_LOCKDOWN and not bits & 0x20:
            return  # lockdown: local buttons ignored unless the guard's key override is turned
        if self.reg("hold_to_run"):
            # Constant pressure only (UL 325): move while held, stop on release (in _check_motion).
            if bits & 0x80 and not bits & 0x40 and self._dir == 0 and not self._fire_hold():
                if not bits & 0x02 and not bits & 0x1C:
                    self._set_lock(False)
                    self._drive(-1)
                    self._hold_run = True
                    self.set_state(CLOSING, "hold-to-run")
            elif pressed & 0x40:
                self._request_open()
            return
        if pressed & 0x40:
            self._request_open()
        elif pressed & 0x80 and not self._fire_hold():
            self._request_close()

    def _mode_automation(self, now, bits):
        if self.comm_lost:
            return  # comm loss: stopped, no automatic motion until the host is back
        if self._fire_hold():
            if self._dir == 0 and not self._pending_dir and not bits & 0x01 and self.state != FAULT:
                self._request_open()
            return
        if self.mode != R.MODE_LOCKDOWN or self._retry_at is None or bits & 0x20:
            return  # (the key override hands the gate to the guard at the gate)
        if self.state == CLOSED:
            if not self.reg("locked"):
                self._set_lock(True)
            return
        if self._dir != 0 or self._pending_dir or self._test or self.state == FAULT:
            return
        if ticks_diff(now, self._retry_at) >= 0:
            self._retry_at = ticks_add(now, _LOCKDOWN_RETRY_MS)
            self._request_close()
