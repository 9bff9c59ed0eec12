# The sim board: the firmware under the MicroPython unix port, wired to the simulator.
#   UART  = a raw TCP byte channel (the simulator's timed RS-485 bus listens; we connect as a client
#           and retry every 100 ms, also after a drop — a cut bus drop). "listen:PORT" makes the
#           firmware the server instead, for direct tests with pymodbus over socket://.
#   I/O   = the line protocol of protocols/io_points.py over a second TCP connection.
#   flash = a directory (--flash DIR); the reset cause crosses a restart in DIR/reset_cause.
#   exit codes: 0 clean stop, 10 reboot requested, 11 watchdog expired (the simulator restarts us).
import asyncio
import os
import select
import socket

from core.ticks import ticks_add, ticks_diff, ticks_ms

NAME = "sim"
EXIT_REBOOT = 10
EXIT_WATCHDOG = 11
RESET_POWER_ON = 1
RESET_WATCHDOG = 2
_RETRY_MS = 100  # reconnect period of both channels
_IO_GRACE_MS = 2000  # no I/O connection this long after boot counts as io lost
_CAUSE_FILE = "/reset_cause"


def _addr(host_port):
    host, _, port = host_port.rpartition(":")
    return socket.getaddrinfo(host or "127.0.0.1", int(port))[0][-1]


def _connect(host_port):
    """A connected non-blocking socket, or None. Blocking connect: the peer is on this host."""
    s = socket.socket()
    try:
        s.connect(_addr(host_port))
    except OSError:
        s.close()
        return None
    s.setblocking(False)
    return s


class SimUart:
    # A TCP channel cannot show a 1.75 ms silence reliably on a loaded host: frames end by their
    # expected length; this only bounds the silence wait for frames of unknown length and garbage.
    min_gap_us = 5000

    def __init__(self, spec):
        self.spec = spec
        self.listen = spec.startswith("listen:")
        self._server = None
        self._sock = None
        self._stream = None
        if self.listen:
            srv = socket.socket()
            srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            srv.bind(_addr("127.0.0.1:" + spec[7:]))  # test mode: loopback only
            srv.listen(1)
            srv.setblocking(False)
            self._server = srv

    def _open(self):
        if self.listen:
            try:
                s, _ = self._server.accept()
            except OSError:
                return False
            s.setblocking(False)
        else:
            s = _connect(self.spec)
            if s is None:
                return False
        self._sock = s
        self._stream = asyncio.StreamReader(s)
        self._poller = select.poll()
        self._poller.register(s, select.POLLIN)
        return True

    def _readable(self):
        for _ in self._poller.ipoll(0):  # ipoll: no list allocated
            return True
        return False

    def _drop(self):
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
        self._sock = None
        self._stream = None

    async def recv(self, mv, timeout_ms):
        """Read up to len(mv) bytes into mv; 0 after timeout_ms with nothing (or while unplugged)."""
        if self._stream is None and not self._open():
            await asyncio.sleep_ms(min(timeout_ms, _RETRY_MS))
            return 0
        try:
            n = await asyncio.wait_for_ms(self._stream.readinto(mv), timeout_ms)
        except asyncio.TimeoutError:
            # A starved process can see its timer expire before the poller saw bytes that have
            # long arrived: that is not silence on the line. Look once more before saying so.
            if not self._readable():
                return 0
            try:
                n = await self._stream.readinto(mv)
            except OSError:
                n = 0
        except OSError:
            n = 0
        if not n:
            self._drop()
            return 0
        return n

    async def send(self, buf, n):
        stream = self._stream
        if stream is None:
            return
        try:
            stream.write(memoryview(buf)[:n])
            await stream.drain()
        except OSError:
            self._drop()


class SimIo:
    """Inputs set by the plant, outputs reported to it (protocols/io_points.py line protocol)."""

    def __init__(self, spec, points, clock, wake=None):
        self.spec = spec
        self.clock = clock
        self.wake = wake  # asyncio.Event: set on a digital input change, a connect or a loss
        self.inputs = {}
        self.kinds = {}
        self.changed = {}
        self.outputs = {}
        for p in points:
            if p[1] == "do":
                self.outputs[p[0]] = p[2]
            else:
                self.inputs[p[0]] = p[2]
                self.kinds[p[0]] = p[1]
                self.changed[p[0]] = None
        self.connected = spec is None  # without --io: idle inputs, outputs go nowhere
        self.lost = False
        self.bad_lines = 0
        self._sock = None
        self._boot = clock.now()

    def get(self, name):
        return self.inputs[name]

    def changed_at(self, name):
        """Ticks (ms) when input name last changed: the start of a reaction-time measurement."""
        return self.changed[name]

    def set(self, name, value):
        self.outputs[name] = value
        self._send(name, value)

    def _send(self, name, value):
        if self._sock is None:
            return
        try:
            self._sock.write(b"%s %d\n" % (name, value))
        except OSError:
            pass  # the reader sees the drop and reconnects

    def _send_all(self):
        for name in self.outputs:
            self._send(name, self.outputs[name])

    def _line(self, line):
        parts = line.split()
        if len(parts) == 1 and parts[0] == b"?":
            self._send_all()
            return
        if len(parts) != 2:
            self.bad_lines += 1
            return
        name = parts[0].decode()
        kind = self.kinds.get(name)
        try:
            value = int(parts[1])
        except ValueError:
            kind = None
        if kind is None or value < 0 or (kind == "di" and value > 1) or value > 4095:
            self.bad_lines += 1  # unknown name or malformed value: ignored, never acted on
            return
        if self.inputs[name] != value:
            self.inputs[name] = value
            self.changed[name] = self.clock.now()
            # A digital input is an edge the role acts on at once; an analogue one is sampled at
            # the role's own period (as an ADC is: it has no edge to wake on).
            if kind == "di":
                self._signal()

    def _signal(self):
        if self.wake is not None:
            self.wake.set()

    async def run(self):
        if self.spec is None:
            return
        while True:
            s = _connect(self.spec)
            if s is None:
                if not self.lost and ticks_diff(self.clock.now(), self._boot) > _IO_GRACE_MS:
                    self.lost = True
                    self._signal()
                await asyncio.sleep_ms(_RETRY_MS)
                continue
            self._sock = s
            self.connected = True
            self.lost = False
            self._send_all()
            self._signal()
            reader = asyncio.StreamReader(s)
            while True:
                try:
                    line = await reader.readline()
                except OSError:
                    line = b""
                if not line:
                    break
                if len(line) > 64:
                    self.bad_lines += 1
                    continue
                self._line(line)
            self.connected = False
            self.lost = True
            self._signal()
            self._sock = None
            try:
                s.close()
            except OSError:
                pass


class SimWatchdog:
    """Stands for the hardware WDT: not fed within timeout_ms -> exit 11 (the simulator restarts)."""

    def __init__(self, board, timeout_ms):
        self.board = board
        self.timeout_ms = timeout_ms
        self._deadline = ticks_add(ticks_ms(), timeout_ms)

    def feed(self):
        self._deadline = ticks_add(ticks_ms(), self.timeout_ms)

    async def run(self):
        while True:
            # Sleep to the deadline, not on a short period: a fed watchdog has moved it on, so
            # this wakes about once per timeout while all is well.
            late = ticks_diff(ticks_ms(), self._deadline)
            if late > 0:
                self.board.reset(RESET_WATCHDOG)
            await asyncio.sleep_ms(1 - late)


class Board:
    name = NAME

    def __init__(self, argv):
        self.uart_spec = None
        self.io_spec = None
        self.flash_dir = "."
        self.verbose = False
        i = 1
        while i < len(argv):
            arg = argv[i]
            if arg == "--uart":
                self.uart_spec = argv[i + 1]
                i += 1
            elif arg == "--io":
                self.io_spec = argv[i + 1]
                i += 1
            elif arg == "--flash":
                self.flash_dir = argv[i + 1]
                i += 1
            elif arg == "--log":
                self.verbose = True
            i += 1
        if self.uart_spec is None:
            raise SystemExit("usage: main.py --uart HOST:PORT|listen:PORT [--io HOST:PORT] --flash DIR [--log]")
        self.uart = SimUart(self.uart_spec)

    def open_uart(self, baud, parity, stopbits):
        return self.uart  # a TCP byte channel: the bus model applies the line settings

    def make_io(self, points, clock, wake=None):
        return SimIo(self.io_spec, points, clock, wake)

    def watchdog(self, timeout_ms):
        return SimWatchdog(self, timeout_ms)

    def reset_cause(self):
        path = self.flash_dir + _CAUSE_FILE
        try:
            with open(path) as f:
                cause = int(f.read())
            os.remove(path)
            return cause
        except (OSError, ValueError):
            return RESET_POWER_ON

    def reset(self, cause):
        with open(self.flash_dir + _CAUSE_FILE, "w") as f:
            f.write(str(cause))
        raise SystemExit(EXIT_WATCHDOG if cause == RESET_WATCHDOG else EXIT_REBOOT)

    def log(self, msg):
        if self.verbose:
            print(msg)
