# Builds a role on a register bank with a stepped clock and fake I/O, and steps it like the
# firmware's 10 ms role task does.
from core import register_map as R
from core.register_bank import RegisterBank

from firmware_scenarios.fakes import FakeIo, SteppedClock


def _points(code):
    from protocols import io_points

    return tuple(p[:3] for p in io_points.ROLE_IO[code])


class Rig:
    def __init__(self, role_cls, inputs=None, **params):
        self.clock = SteppedClock()
        self.bank = RegisterBank(role_cls.CODE)
        self.io = FakeIo(_points(role_cls.CODE), self.clock)
        for name, value in (inputs or {}).items():
            self.io.put(name, value)
        for name, value in params.items():
            self.bank.set(R.address(role_cls.BLOCK, name), value)
        self.role = role_cls(self.bank, self.io, self.clock)
        self.step(10)

    def reg(self, name):
        return self.role.reg(name)

    def common(self, name):
        return self.bank.get(R.address(R.COMMON, name))

    def command(self, value):
        """As the slave does: check first, then act. Returns the exception code (0 accepted)."""
        exc = self.role.check_command(value)
        if exc == 0:
            self.bank.set(R.address(self.role.BLOCK, "command"), value)
            self.role.command(value)
        return exc

    def step(self, ms, every=10):
        """Advance ms in `every` ms ticks."""
        for _ in range(ms // every):
            self.clock.advance(every)
            self.role.tick()

    def until(self, check, limit_ms, every=10):
        """Step until check() is true; the ms it took, or -1 if it never became true."""
        t = 0
        while t <= limit_ms:
            if check():
                return t
            self.clock.advance(every)
            self.role.tick()
            t += every
        return -1


class IdleRig(Rig):
    """Steps the role as main.py's idle loop does: tick, then wait next_tick_ms() unless an input
    edge (edge()), a command or a mode change wakes it first. ticks counts the role's wake-ups."""

    def __init__(self, role_cls, inputs=None, **params):
        Rig.__init__(self, role_cls, inputs, **params)
        self.ticks = 0

    def _tick(self):
        self.role.tick()
        self.ticks += 1

    def edge(self, name, value):
        """The plant changes an input: a digital one wakes the role at once (an analogue one is
        only seen at the role's next sample)."""
        self.io.put(name, value)
        if name not in ("edge", "sensor"):
            self._tick()

    def command(self, value):
        exc = Rig.command(self, value)
        self._tick()
        return exc

    def set_mode(self, mode):
        self.bank.set(R.address(R.COMMON, "mode"), mode)
        self.role.set_mode(mode)
        self._tick()

    def run(self, ms):
        """Let ms pass; returns the wake-ups it took."""
        before = self.ticks
        left = ms
        while True:
            wait = max(self.role.next_tick_ms(self.clock.now()), 1)
            if wait > left:
                self.clock.advance(left)
                return self.ticks - before
            self.clock.advance(wait)
            left -= wait
            self._tick()

    def until(self, check, limit_ms, every=0):
        """Run until check() is true; the ms it took, or -1."""
        t = 0
        while t <= limit_ms:
            if check():
                return t
            wait = max(self.role.next_tick_ms(self.clock.now()), 1)
            self.clock.advance(wait)
            self._tick()
            t += wait
        return -1
