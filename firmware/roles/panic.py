# Panic ("one-key alarm") station (GB 50394-2007 §5.2.2-5.2.3).
# Safety rules kept here:
#   - a press counts only when held hold_ms without a break (anti-false-trigger); every accepted
#     press bumps press_count, so a host that polls slowly still sees each one;
#   - the alarm LATCHES and never resets itself: only the key at the station (key_reset) or the host
#     writing PANIC_RESET_KEY clears it; comm loss and io loss keep it;
#   - tamper is a fault that also latches (until the same reset);
#   - led_received lights once the host acknowledges; while the host is silent it blinks ("no host").
from core import register_map as R
from core.ticks import ticks_add, ticks_diff

from roles.role_base import FAST_TICK_MS, IDLE_TICK_MS, RoleBase

try:
    from micropython import const
except ImportError:  # CPython host tests

    def const(x):
        return x


IDLE = const(0)
ALARM = const(1)
ACKNOWLEDGED = const(2)

_OUT_LED_ALARM = const(0x01)
_OUT_LED_RECEIVED = const(0x02)
_OUT_BUZZER = const(0x04)

_F_TAMPER = const(0)
_F_STUCK = const(1)
_F_IO = const(2)

_STUCK_MS = const(60000)  # button held this long: button_stuck fault
_BUZZ_MS = const(1000)  # local confirmation tone when the alarm latches
_NO_HOST_BLINK_MS = const(500)

_A_UPTIME_HI = R.address(R.COMMON, "uptime_hi")
_A_UPTIME_LO = R.address(R.COMMON, "uptime_lo")


class Panic(RoleBase):
    CODE = R.ROLE_PANIC
    BLOCK = R.role_block(R.ROLE_PANIC)
    STATE_NAMES = R.state_names(R.ROLE_PANIC)
    OUTPUT_IO = ("led_alarm", "led_received", "buzzer")
    COMM_LOSS_ACTION = "keep the latched alarm; led_received blinks (no host)"

    def __init__(self, bank, io, clock, log=None):
        super().__init__(bank, io, clock, log)
        now = clock.now()
        self._press_since = None
        self._press_counted = False
        self._buzz_until = now
        self._blink_at = now
        self._blink_on = False
        self._prev = 0
        self.set_state(IDLE)

    def check_command(self, value):
        if value in (R.PANIC_COMMAND_ACK, R.PANIC_RESET_KEY):
            return 0
        return 3  # any other value is refused: a stray write never resets an alarm

    def command(self, value):
        if value == R.PANIC_COMMAND_ACK:
            if self.state == ALARM:
                self.set_state(ACKNOWLEDGED, "host acknowledged")
        elif value == R.PANIC_RESET_KEY:
            self._reset("authorised host reset")

    def _reset(self, why):
        if self.state != IDLE:
            self.set_state(IDLE, why)
        if not self.io.get("tamper"):
            self.clear_faults(1 << _F_TAMPER)
        self.clear_faults(1 << _F_STUCK)

    def _latch(self, now):
        self.put("press_count", self.reg("press_count") + 1)
        self.bump_event()
        if self.state == IDLE:
            self.put("alarm_uptime_hi", self.bank.get(_A_UPTIME_HI))
            self.put("alarm_uptime_lo", self.bank.get(_A_UPTIME_LO))
            self._buzz_until = ticks_add(now, _BUZZ_MS)
            self.set_state(ALARM, "button held")

    def tick(self):
        now = self.clock.now()
        if not self.io.connected:  # booting (not yet connected) or lost
            if self.io.lost and not self.has_fault(_F_IO):
                self.set_fault(_F_IO)
            return  # the latch is kept; nothing to read
        if self.has_fault(_F_IO):
            self.clear_faults(1 << _F_IO)
        io = self.io
        bits = (1 if io.get("button") else 0) | (2 if io.get("tamper") else 0)
        bits |= 4 if io.get("key_reset") else 0
        rising = bits & ~self._prev
        self._prev = bits
        if self.reg("inputs") != bits:
            self.put("inputs", bits)

        if bits & 1:
            if self._press_since is None:
                self._press_since = io.changed_at("button")
                if self._press_since is None:
                    self._press_since = now
            held = ticks_diff(now, self._press_since)
            if not self._press_counted and held >= self.reg("hold_ms"):
                self._press_counted = True
                self._latch(now)
            if held >= _STUCK_MS:
                self.set_fault(_F_STUCK)
        else:
            self._press_since = None
            self._press_counted = False

        if rising & 2:
            self.set_fault(_F_TAMPER)
        if rising & 4:
            self._reset("key reset at the station")
        self._drive_outputs(now)

    def next_tick_ms(self, now):
        # A press being timed against hold_ms gets the fast tick (the edge woke us); the buzzer
        # and the "no host" blink run to their own deadlines.
        if not self.io.connected:
            return IDLE_TICK_MS  # nothing to read; the reconnect wakes us
        if self._press_since is not None and not self._press_counted:
            return FAST_TICK_MS
        wait = IDLE_TICK_MS
        if self.state != IDLE and ticks_diff(now, self._buzz_until) < 0:
            wait = self.until(self._buzz_until, now)
        if self.comm_lost:
            wait = min(wait, self.until(self._blink_at, now))
        return wait

    def _drive_outputs(self, now):
        out = 0
        if self.state != IDLE:
            out |= _OUT_LED_ALARM
        if self.comm_lost:
            if ticks_diff(now, self._blink_at) >= 0:
                self._blink_at = ticks_add(now, _NO_HOST_BLINK_MS)
                self._blink_on = not self._blink_on
            if self._blink_on:
                out |= _OUT_LED_RECEIVED
        elif self.state == ACKNOWLEDGED:
            out |= _OUT_LED_RECEIVED
        if self.state != IDLE and ticks_diff(now, self._buzz_until) < 0:
            out |= _OUT_BUZZER
        self._write_outputs(out)
