# What every role shares: register access by name, the state register (mirrored into common.state,
# every change bumps common.event_counter and is logged by name), fault bits, and the outputs
# register. A role's own output choke point sits on top of _write_outputs().
# Idling: main.py ticks a role again after next_tick_ms(), or at once on an input edge, a command,
# a mode or comm-loss change. A role that declares nothing is ticked every FAST_TICK_MS.
from core import register_map as R
from core.ticks import ticks_diff

try:
    from micropython import const
except ImportError:  # CPython host tests

    def const(x):
        return x


_A_EVENT = R.address(R.COMMON, "event_counter")
_A_COMMON_STATE = R.address(R.COMMON, "state")

FAST_TICK_MS = const(10)  # motion and safety monitoring: obstruction to motor off well under 100 ms
IDLE_TICK_MS = const(1000)  # nothing moves: slow housekeeping of timers; edges wake the role at once


class RoleBase:
    CODE = 0
    BLOCK = ()
    STATE_NAMES = ()
    OUTPUT_IO = ()  # io point of each outputs-register bit, in *_OUTPUT_NAMES order
    COMM_LOSS_ACTION = ""
    REST_TICK_MS = IDLE_TICK_MS  # tick when busy() is False (roles whose inputs wake them by edges)

    def __init__(self, bank, io, clock, log=None):
        self.bank = bank
        self.io = io
        self.clock = clock
        self.log = log
        self.mode = R.MODE_NORMAL
        self.site_flags = 0
        self.comm_lost = False
        self.outputs = 0
        self._a = {}
        for reg in self.BLOCK:
            self._a[reg[R.NAME]] = reg[R.ADDRESS]

    # ---------------------------------------------------------------- registers
    def reg(self, name):
        return self.bank.get(self._a[name])

    def put(self, name, value):
        self.bank.set(self._a[name], value)

    def bump_event(self):
        self.bank.set(_A_EVENT, self.bank.get(_A_EVENT) + 1)

    @property
    def state(self):
        return self.reg("state")

    def set_state(self, new_state, why=""):
        old = self.reg("state")
        if new_state == old:
            return
        self.put("state", new_state)
        self.bank.set(_A_COMMON_STATE, new_state)
        self.bump_event()
        if self.log:
            self.log("%s -> %s %s" % (self.STATE_NAMES[old], self.STATE_NAMES[new_state], why))

    def set_fault(self, bit):
        faults = self.reg("faults")
        if not faults & (1 << bit):
            self.put("faults", faults | (1 << bit))
            self.bump_event()

    def clear_faults(self, mask=0xFFFF):
        faults = self.reg("faults")
        if faults & mask:
            self.put("faults", faults & ~mask)
            self.bump_event()

    def has_fault(self, bit):
        return self.reg("faults") & (1 << bit)

    # ---------------------------------------------------------------- outputs
    def _write_outputs(self, value):
        """The only writer of the io outputs: sends just the bits that change."""
        changed = value ^ self.outputs
        if not changed:
            return
        self.outputs = value
        for bit in range(len(self.OUTPUT_IO)):
            if changed & (1 << bit):
                self.io.set(self.OUTPUT_IO[bit], 1 if value & (1 << bit) else 0)
        self.put("outputs", value)

    def output_on(self, bit):
        return bool(self.outputs & (1 << bit))

    # ---------------------------------------------------------------- hooks, overridden per role
    def check_command(self, value):
        """0 when the command register may take value now, else the Modbus exception code.
        No effects: it runs for every register of a write before any is stored."""
        return 0

    def command(self, value):
        pass

    def set_mode(self, mode):
        self.mode = mode

    def set_site_flags(self, flags):
        self.site_flags = flags

    def on_comm_loss(self):
        self.comm_lost = True

    def on_comm_restored(self):
        self.comm_lost = False

    def tick(self):
        pass

    def next_tick_ms(self, now):
        """ms until this role needs its next tick if no input edge, command or mode change comes
        first. FAST_TICK_MS while anything moves or is being timed closely. This default serves a
        role that declares busy(): fast while busy, REST_TICK_MS otherwise; a role that declares
        neither stays on the fast tick."""
        busy = getattr(self, "busy", None)
        if busy is None or busy():
            return FAST_TICK_MS
        return self.REST_TICK_MS

    @staticmethod
    def until(deadline, now, longest=IDLE_TICK_MS):
        """ms from now to a ticks deadline, within [FAST_TICK_MS, longest]: a deadline already
        past (one the role has not moved on yet) gets the fast tick, never a busy loop."""
        return max(FAST_TICK_MS, min(ticks_diff(deadline, now), longest))

    def safe_state(self):
        """Outputs to the role's declared safe state (boot, io loss)."""
        self._write_outputs(0)
