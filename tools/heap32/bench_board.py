# The board main.py would get, in memory, for the heap measurement (tools/firmware_heap32.py): I/O
# points held in a dict, a UART that hands the Modbus slave queued request frames and keeps its
# replies, a watchdog that counts feeds. No sockets, no pins: it runs under the MicroPython unix
# port and the WebAssembly port alike.


class Drained(Exception):
    """The UART has no more queued requests: ends the slave's receive loop."""


class BenchIo:
    def __init__(self, points, clock):
        self.clock = clock
        self.inputs = {}
        self.outputs = {}
        self.changed = {}
        self.connected = True
        self.lost = False
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

    def set(self, name, value):
        self.outputs[name] = value

    def put(self, name, value):
        if self.inputs[name] != value:
            self.inputs[name] = value
            self.changed[name] = self.clock.now()


class BenchUart:
    min_gap_us = 5000

    def __init__(self):
        self.queue = []
        self.replies = []

    async def recv(self, mv, timeout_ms):
        if not self.queue:
            raise Drained()
        frame = self.queue.pop(0)
        mv[0 : len(frame)] = frame
        return len(frame)

    async def send(self, buf, n):
        self.replies.append(bytes(buf[:n]))


class BenchWatchdog:
    def __init__(self):
        self.feeds = 0

    def feed(self):
        self.feeds += 1


def serve(slave, uart, frames):
    """Runs the slave's real receive loop over the frames; returns the replies. The loop never
    yields to an event loop here: the UART never waits and the reply delay (t3.5) is set to 0."""
    uart.queue = list(frames)
    uart.replies = []
    slave.t35_us = 0
    loop = slave.run()
    try:
        while True:
            loop.send(None)
    except Drained:
        pass
    return uart.replies
