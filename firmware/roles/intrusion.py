# Intrusion zone: double end-of-line supervised detector loops (GB 50394, EN 50131 style).
# Safety rules kept here:
#   - every loop reads one of normal / alarm / open / short; open and short are tamper (a cut or
#     shorted wire can never pass for "normal") and latch the tamper fault, armed or not;
#   - armed, a loop that is not bypassed and leaves "normal" latches the burglary alarm: it never
#     clears itself when the loop returns to normal, nor on comm loss or a mode change; only a
#     disarm or a reset command from the host (an authorised operator) ends it;
#   - arming with a loop that is not normal (and not bypassed) is refused (exception 04), and
#     ending a bypass of such a loop while armed too: writes are all-or-nothing;
#   - _drive() is the only writer of the outputs; the declared safe state is all outputs off.
from core import register_map as R
from core.ticks import ticks_add, ticks_diff

from roles.role_base import RoleBase

try:
    from micropython import const
except ImportError:  # CPython host tests

    def const(x):
        return x


DISARMED = const(0)
ARMED = const(1)
ALARM = const(2)

LOOP_NORMAL = const(0)
LOOP_ALARM = const(1)
LOOP_OPEN = const(2)
LOOP_SHORT = const(3)

_OUT_SIREN = const(0x01)
_OUT_LED_ARMED = const(0x02)

_F_IO = const(0)
_F_TAMPER = const(1)

_CMD_ARM = const(1)
_CMD_DISARM = const(2)
_CMD_RESET = const(3)

_DEBOUNCE_MS = const(30)  # a loop must read the same condition this long to count
_LOOPS = ("loop1", "loop2")
_COUNT_REGS = ("loop1_counts", "loop2_counts")


def classify(counts):
    """Loop condition from ADC counts (double EOL through the reference divider)."""
    if counts < R.INTRUSION_SHORT_BELOW:
        return LOOP_SHORT
    if counts > R.INTRUSION_OPEN_ABOVE:
        return LOOP_OPEN
    if counts > R.INTRUSION_NORMAL_MAX:
        return LOOP_ALARM
    return LOOP_NORMAL


class Intrusion(RoleBase):
    CODE = R.ROLE_INTRUSION
    BLOCK = R.role_block(R.ROLE_INTRUSION)
    STATE_NAMES = R.state_names(R.ROLE_INTRUSION)
    OUTPUT_IO = ("siren", "led_armed")
    COMM_LOSS_ACTION = "none: armed stays armed, a latched alarm and the local siren keep working"
    # The loops are analogue (end-of-line resistance): no edge wakes the role, so at rest it still
    # samples every 50 ms (the 30 ms debounce then decides; EN 50131: an alarm within 10 s).
    REST_TICK_MS = 50

    def __init__(self, bank, io, clock, log=None):
        super().__init__(bank, io, clock, log)
        now = clock.now()
        self._raw = [LOOP_NORMAL] * len(_LOOPS)  # last reading
        self._since = [now] * len(_LOOPS)  # when the reading last changed
        self._stable = [LOOP_NORMAL] * len(_LOOPS)  # debounced condition
        self._siren_until = now
        self._siren = False
        self.set_state(DISARMED)

    # ---------------------------------------------------------------- host
    def _not_ready(self):
        """Bits of loops that are neither normal nor bypassed."""
        bypassed = self.reg("bypassed")
        out = 0
        for n in range(len(_LOOPS)):
            if self._stable[n] != LOOP_NORMAL and not bypassed & (1 << n):
                out |= 1 << n
        return out

    def check_command(self, value):
        if value == _CMD_ARM:
            return 4 if self._not_ready() else 0
        if value in (0, _CMD_DISARM, _CMD_RESET):
            return 0
        if R.INTRUSION_BYPASS_BASE <= value < R.INTRUSION_BYPASS_BASE + len(_LOOPS):
            return 0
        if R.INTRUSION_UNBYPASS_BASE <= value < R.INTRUSION_UNBYPASS_BASE + len(_LOOPS):
            n = value - R.INTRUSION_UNBYPASS_BASE
            if self.reg("armed") and self._stable[n] != LOOP_NORMAL:
                return 4  # it would alarm at once: make the loop good first
            return 0
        return 3

    def command(self, value):
        now = self.clock.now()
        if value == _CMD_ARM:
            if not self.reg("armed"):
                self.put("armed", 1)
                self.set_state(ARMED, "armed")
        elif value == _CMD_DISARM:
            self.put("armed", 0)
            self.put("alarm_loops", 0)
            self._siren = False
            self.set_state(DISARMED, "disarmed")
        elif value == _CMD_RESET:
            self.put("alarm_loops", 0)
            self._siren = False
            if not self._any_tamper():
                self.clear_faults(1 << _F_TAMPER)
            self.set_state(ARMED if self.reg("armed") else DISARMED, "reset")
        elif value >= R.INTRUSION_UNBYPASS_BASE:
            self.put("bypassed", self.reg("bypassed") & ~(1 << (value - R.INTRUSION_UNBYPASS_BASE)))
            self.bump_event()
        elif value >= R.INTRUSION_BYPASS_BASE:
            self.put("bypassed", self.reg("bypassed") | (1 << (value - R.INTRUSION_BYPASS_BASE)))
            self.bump_event()
        self._drive(now)

    def busy(self):
        """True while the siren timer runs or a loop change is being debounced."""
        if self._siren:
            return True
        for n in range(len(_LOOPS)):
            if self._raw[n] != self._stable[n]:
                return True
        return False

    # ---------------------------------------------------------------- field
    def _any_tamper(self):
        for s in self._stable:
            if s in (LOOP_OPEN, LOOP_SHORT):
                return True
        return False

    def tick(self):
        now = self.clock.now()
        if not self.io.connected:  # booting (not yet connected) or lost
            if self.io.lost and not self.has_fault(_F_IO):
                self.set_fault(_F_IO)
            self._drive(now)  # the latched alarm and its siren keep going
            return
        if self.has_fault(_F_IO):
            self.clear_faults(1 << _F_IO)
        status = 0
        for n in range(len(_LOOPS)):
            counts = self.io.get(_LOOPS[n])
            self.put(_COUNT_REGS[n], min(max(counts, 0), 4095))
            cond = classify(counts)
            if cond != self._raw[n]:
                self._raw[n] = cond
                changed = self.io.changed_at(_LOOPS[n])
                self._since[n] = changed if changed is not None else now
            if cond != self._stable[n] and ticks_diff(now, self._since[n]) >= _DEBOUNCE_MS:
                self._stable[n] = cond
                self.bump_event()
                self._on_loop(n, cond, now)
            status |= self._stable[n] << (2 * n)
        if self.reg("loop_status") != status:
            self.put("loop_status", status)
        if self._siren and ticks_diff(now, self._siren_until) >= 0:
            self._siren = False
        self._drive(now)

    def _on_loop(self, n, cond, now):
        if cond in (LOOP_OPEN, LOOP_SHORT):
            self.set_fault(_F_TAMPER)
        if cond == LOOP_NORMAL or not self.reg("armed") or self.reg("bypassed") & (1 << n):
            return
        first = not self.reg("alarm_loops")
        self.put("alarm_loops", self.reg("alarm_loops") | (1 << n))
        if first:
            self.put("alarm_count", self.reg("alarm_count") + 1)
            self.put("last_reaction_ms", min(max(ticks_diff(now, self._since[n]), 0), 0xFFFF))
            siren_s = self.reg("siren_s")
            if siren_s:
                self._siren = True
                self._siren_until = ticks_add(now, siren_s * 1000)
        self.set_state(ALARM, "loop %d tripped" % (n + 1))

    def _drive(self, now):
        out = 0
        if self._siren and self.state == ALARM:
            out |= _OUT_SIREN
        if self.reg("armed"):
            out |= _OUT_LED_ARMED
        self._write_outputs(out)
