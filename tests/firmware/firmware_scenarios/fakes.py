# Stepped clock and in-memory I/O for role state-machine scenarios. Plain Python that runs under
# CPython (pytest) and the MicroPython unix port alike: no pytest, typing or dataclasses here.
from core.ticks import ticks_add


class SteppedClock:
    """A clock the scenario moves by hand. Starts just below the ticks wrap to catch a - b bugs."""

    def __init__(self, start=(1 << 30) - 5000):
        self.t = start

    def now(self):
        return self.t

    def advance(self, ms):
        self.t = ticks_add(self.t, ms)


class FakeIo:
    """The sim I/O channel in memory. Records every output change, asserts the motor interlocks."""

    def __init__(self, points, clock):
        self.clock = clock
        self.inputs = {}
        self.outputs = {}
        self.changed = {}
        self.history = []
        self.connected = True
        self.lost = False
        self.healthy_eye = True  # a working photo-eye reports "interrupted" while its emitter is off
        self.beam_blocked = 0
        for p in points:
            if p[1] == "do":
                self.outputs[p[0]] = p[2]
            else:
                self.inputs[p[0]] = p[2]
                self.changed[p[0]] = None

    def get(self, name):
        return self.inputs[name]

    def changed_at(self, name):
        return self.changed[name]

    def put(self, name, value):
        """The plant sets an input."""
        if name == "photo_eye":
            self.beam_blocked = value
            value = value or (self.healthy_eye and self.outputs.get("eye_test", 0))
        if self.inputs[name] != value:
            self.inputs[name] = value
            self.changed[name] = self.clock.now()

    def set(self, name, value):
        self.outputs[name] = value
        self.history.append((self.clock.now(), name, value))
        o = self.outputs
        assert not (o.get("motor_open") and o.get("motor_close")), "gate motor driven both ways"
        assert not (o.get("pump_up") and o.get("valve_down")), "bollard pump and lowering valve together"
        if name == "eye_test":
            self.put("photo_eye", self.beam_blocked)

    def on(self, name):
        return self.outputs[name] == 1
