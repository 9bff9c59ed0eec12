# What the ESP32 and RP2040 boards share: the RS-485 UART with driver-enable, field I/O on pins
# (digital in/out, ADC), the hardware watchdog and the reset cause. Only board/ touches `machine`.
# A board module gives the pin numbers; roles see the same get/set/changed_at interface as the sim.
import asyncio
from array import array

import machine
from core.ticks import ticks_ms

RESET_POWER_ON = 1
RESET_WATCHDOG = 2
RESET_HARD = 4
RESET_SOFT = 5
_CAUSE_FILE = "/reset_cause"
_RESCAN_MS = 1000  # digital inputs are also re-read this often: an edge the IRQ missed is found


class HardwareUart:
    min_gap_us = 0  # a real UART: the t3.5 silence from the baud rate is all it takes

    def __init__(self, uart_id, tx, rx, de, baud, parity, stopbits):
        parity_arg = None if parity == "N" else (1 if parity == "O" else 0)
        self.uart = machine.UART(uart_id, baudrate=baud, bits=8, parity=parity_arg, stop=stopbits,
                                 tx=machine.Pin(tx), rx=machine.Pin(rx), timeout=0)
        self.de = machine.Pin(de, machine.Pin.OUT, value=0)  # RS-485 driver off: listening
        self.stream = asyncio.StreamReader(self.uart)

    async def recv(self, mv, timeout_ms):
        try:
            n = await asyncio.wait_for_ms(self.stream.readinto(mv), timeout_ms)
        except asyncio.TimeoutError:
            return 0
        return n or 0

    async def send(self, buf, n):
        self.de.value(1)  # take the bus
        self.uart.write(memoryview(buf)[:n])
        self.uart.flush()  # returns once the last stop bit has left the shift register
        self.de.value(0)  # release the bus at once: the master answers after t3.5


class PinIo:
    """Field terminals on pins: di/do via Pin, ai via ADC scaled to 0..4095 counts.

    Digital inputs are edge-driven (STYLE rule 8): the pin IRQ only records the time into a
    preallocated array and sets a ThreadSafeFlag; run() then reads the pins, keeps the change time
    for the reaction-time measurement and wakes the role. An analogue input has no edge: it is read
    when the role asks (the role's tick is the sample)."""

    connected = True
    lost = False

    def __init__(self, pin_map, points, clock, wake=None):
        self.clock = clock
        self.wake = wake
        self.pins = {}
        self.kinds = {}
        self.inputs = {}
        self.changed = {}
        self.digital = []
        for name, kind, idle in points:
            number = pin_map[name]
            if kind == "do":
                self.pins[name] = machine.Pin(number, machine.Pin.OUT, value=idle)
            elif kind == "ai":
                self.pins[name] = machine.ADC(machine.Pin(number))
            else:
                self.pins[name] = machine.Pin(number, machine.Pin.IN, machine.Pin.PULL_DOWN)
                self.digital.append(name)
            self.kinds[name] = kind
            if kind != "do":
                self.inputs[name] = idle
                self.changed[name] = None
        self._edge_at = array("i", (0 for _ in self.digital))  # written by the ISRs only
        self._edge_seen = bytearray(len(self.digital))
        self._irq = asyncio.ThreadSafeFlag()
        for i in range(len(self.digital)):
            pin = self.pins[self.digital[i]]
            pin.irq(handler=self._isr(i), trigger=machine.Pin.IRQ_RISING | machine.Pin.IRQ_FALLING)

    def _isr(self, index):
        edge_at = self._edge_at
        seen = self._edge_seen
        flag = self._irq

        def isr(pin):  # capture and signal, nothing else: no allocation, no logging
            edge_at[index] = ticks_ms()
            seen[index] = 1
            flag.set()

        return isr

    def get(self, name):
        if self.kinds[name] == "ai":
            value = self.pins[name].read_u16() >> 4
            if value != self.inputs[name]:
                self.inputs[name] = value
                self.changed[name] = ticks_ms()
        return self.inputs[name]

    def changed_at(self, name):
        return self.changed[name]

    def set(self, name, value):
        self.pins[name].value(value)

    def _scan(self):
        moved = False
        for i in range(len(self.digital)):
            name = self.digital[i]
            value = self.pins[name].value()
            if value != self.inputs[name]:
                self.inputs[name] = value
                self.changed[name] = self._edge_at[i] if self._edge_seen[i] else ticks_ms()
                moved = True
            self._edge_seen[i] = 0
        if moved and self.wake is not None:
            self.wake.set()

    async def run(self):
        self._scan()
        while True:
            try:
                await asyncio.wait_for_ms(self._irq.wait(), _RESCAN_MS)
            except asyncio.TimeoutError:
                pass
            self._scan()


class Watchdog:
    def __init__(self, timeout_ms):
        self.wdt = machine.WDT(timeout=timeout_ms)

    def feed(self):
        self.wdt.feed()


def map_points(points, di_pins, ai_pins, do_pins):
    """Terminal assignment: a role's points take the board's di, ai and do pins in io_points order."""
    out = {}
    counts = {"di": 0, "ai": 0, "do": 0}
    pools = {"di": di_pins, "ai": ai_pins, "do": do_pins}
    for name, kind, _ in points:
        out[name] = pools[kind][counts[kind]]
        counts[kind] += 1
    return out


class PinBoard:
    """Base of the hardware boards; a subclass sets UART_ID, TX, RX, DE, DI, AI, DO."""

    name = ""
    flash_dir = ""
    verbose = True
    UART_ID = 0
    TX = RX = DE = 0
    DI = ()
    AI = ()
    DO = ()

    def __init__(self, argv=None):
        pass

    def open_uart(self, baud, parity, stopbits):
        return HardwareUart(self.UART_ID, self.TX, self.RX, self.DE, baud, parity, stopbits)

    def make_io(self, points, clock, wake=None):
        return PinIo(map_points(points, self.DI, self.AI, self.DO), points, clock, wake)

    def watchdog(self, timeout_ms):
        return Watchdog(timeout_ms)

    def reset_cause(self):
        try:
            with open(_CAUSE_FILE) as f:
                cause = int(f.read())
            import os

            os.remove(_CAUSE_FILE)
            return cause
        except (OSError, ValueError):
            pass
        cause = machine.reset_cause()
        if cause == machine.WDT_RESET:
            return RESET_WATCHDOG
        if cause == machine.PWRON_RESET:
            return RESET_POWER_ON
        if cause == machine.HARD_RESET:
            return RESET_HARD
        return RESET_SOFT

    def reset(self, cause):
        with open(_CAUSE_FILE, "w") as f:
            f.write(str(cause))
        machine.reset()

    def log(self, msg):
        print(msg)
