# Runs the real firmware under the MicroPython unix port on the sim board, with a plant-side I/O
# server (the io_points.py line protocol) and the UART as a TCP port the firmware listens on
# (--uart listen:PORT), so pymodbus and raw-socket tests talk to it over socket://.
import json
import os
import socket
import subprocess
import threading
import time

from firmware_paths import FIRMWARE, HEAP, MICROPYTHON, REPO
from pymodbus.client import ModbusSerialClient

from protocols import rtu


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class IoPlant:
    """The plant end of the sim I/O channel: listens, records outputs, sets inputs."""

    def __init__(self):
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(1)
        self.port = self.server.getsockname()[1]
        self.outputs = {}
        self.history = []  # (monotonic s, name, value)
        # A healthy photo-eye: reports "interrupted" while its emitter is switched off for the test.
        self.healthy_eye = True
        self.beam_blocked = 0
        self.conn = None
        self.connected = threading.Event()
        self.changed = threading.Condition()
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.conn = conn
            self.connected.set()
            buf = b""
            while True:
                try:
                    data = conn.recv(4096)
                except OSError:
                    data = b""
                if not data:
                    break
                buf += data
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    parts = line.decode().split()
                    if len(parts) == 2:
                        if parts[0] == "eye_test" and self.healthy_eye:
                            value = int(parts[1]) or self.beam_blocked
                            conn.sendall(b"photo_eye %d\n" % value)
                        with self.changed:
                            self.outputs[parts[0]] = int(parts[1])
                            self.history.append((time.monotonic(), parts[0], int(parts[1])))
                            self.changed.notify_all()
            self.connected.clear()
            self.conn = None

    def set(self, name, value):
        assert self.connected.wait(5), "firmware never connected to the I/O channel"
        if name == "photo_eye":
            self.beam_blocked = value
        self.conn.sendall(b"%s %d\n" % (name.encode(), value))

    def wait_for(self, name, value, timeout=3.0):
        """Block until output name reads value; the monotonic time it did, else AssertionError."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while self.outputs.get(name) != value:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"output {name} never became {value}: {self.outputs}")
                self.changed.wait(left)
            for t, n, v in reversed(self.history):
                if n == name and v == value:
                    return t
        return time.monotonic()

    def close(self):
        self._stop = True
        self.server.close()
        if self.conn:
            self.conn.close()


class FirmwareProcess:
    def __init__(self, flash_dir, role="gate", unit=1, params=None, site_flags=0,
                 comm_loss_timeout_s=30, config=None, heap=HEAP, with_io=True):
        self.flash = flash_dir
        self.flash.mkdir(parents=True, exist_ok=True)
        self.unit = unit
        if config is None:
            config = {"version": 1, "role": role, "unit": unit, "baud": 115200, "parity": "N",
                      "stopbits": 1, "site_flags": site_flags,
                      "comm_loss_timeout_s": comm_loss_timeout_s, "serial": 12345,
                      "params": params or {}}
        if config != "keep":
            (self.flash / "config.json").write_text(
                config if isinstance(config, str) else json.dumps(config))
        self.heap = heap
        self.plant = IoPlant() if with_io else None
        self.uart_port = free_port()
        self.proc = None
        self.client = None

    def start(self):
        env = dict(os.environ, MICROPYPATH=f".frozen:{FIRMWARE}:{REPO}")
        args = [str(MICROPYTHON), "-X", f"heapsize={self.heap}", str(FIRMWARE / "main.py"),
                "--uart", f"listen:{self.uart_port}", "--flash", str(self.flash)]
        if self.plant:
            args += ["--io", f"127.0.0.1:{self.plant.port}"]
        self.proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, cwd=str(self.flash))
        deadline = time.monotonic() + 10
        while True:
            if self.proc.poll() is not None:
                raise AssertionError("firmware exited %s: %s" % (
                    self.proc.returncode, self.proc.stderr.read().decode()))
            try:
                socket.create_connection(("127.0.0.1", self.uart_port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError("firmware never listened on its UART port") from None
                time.sleep(0.05)
        if self.plant:
            assert self.plant.connected.wait(5), "firmware never connected to the I/O channel"
        return self

    def modbus(self):
        """A pymodbus RTU client over socket:// (short timeout, no retries)."""
        if self.client is None:
            self.client = ModbusSerialClient(port=f"socket://127.0.0.1:{self.uart_port}",
                                             baudrate=115200, timeout=1, retries=0)
            deadline = time.monotonic() + 5
            while not self.client.connect():
                assert time.monotonic() < deadline, "pymodbus could not connect"
                time.sleep(0.05)
        return self.client

    def raw(self):
        """A raw TCP connection to the UART (for byte-exact and timing tests)."""
        self.close_client()
        deadline = time.monotonic() + 5
        while True:
            try:
                s = socket.create_connection(("127.0.0.1", self.uart_port), timeout=2)
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                return s
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.05)

    def close_client(self):
        if self.client is not None:
            self.client.close()
            self.client = None

    def stop(self):
        self.close_client()
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        if self.plant:
            self.plant.close()

    def wait_exit(self, timeout=5):
        return self.proc.wait(timeout)


def transact(sock, unit, pdu, timeout=1.0):
    """Send one RTU request on a raw socket and return the reply ADU (bytes), or b"" on timeout."""
    sock.sendall(rtu.build_adu(unit, pdu))
    return read_reply(sock, timeout)


def read_reply(sock, timeout=1.0):
    sock.settimeout(timeout)
    buf = b""
    try:
        while True:
            need = rtu.response_length(buf, len(buf)) if len(buf) >= 2 else 0
            if need and len(buf) >= need:
                return buf[:need]
            data = sock.recv(512)
            if not data:
                return buf
            buf += data
    except socket.timeout:
        return buf
