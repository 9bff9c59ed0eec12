# Runs under the MicroPython unix port: board/pin_board.py's PinIo with a tiny fake `machine`
# (pins whose level the script sets, and whose IRQ handler it calls as the hardware would).
# Prints "pin io: ok" or raises.
import asyncio
import sys
import time


class _Pin:
    IN = 0
    OUT = 1
    PULL_DOWN = 2
    IRQ_RISING = 1
    IRQ_FALLING = 2

    def __init__(self, number, mode=0, pull=None, value=0):
        self.number = number
        self.level = value
        self.handler = None
        self.trigger = 0

    def value(self, v=None):
        if v is None:
            return self.level
        self.level = v

    def irq(self, handler=None, trigger=0):
        self.handler = handler
        self.trigger = trigger


class _Adc:
    def __init__(self, pin):
        self.counts = 0

    def read_u16(self):
        return self.counts << 4


class _Machine:
    Pin = _Pin
    ADC = _Adc


sys.modules["machine"] = _Machine()

from board.pin_board import PinIo  # noqa: E402
from core.ticks import Clock, ticks_diff  # noqa: E402

POINTS = (("photo_eye", "di", 0), ("loop", "di", 0), ("edge", "ai", 2000), ("lock", "do", 0))
PINS = {"photo_eye": 25, "loop": 26, "edge": 34, "lock": 21}


async def main():
    wake = asyncio.Event()
    io = PinIo(PINS, POINTS, Clock(), wake)
    eye = io.pins["photo_eye"]
    assert eye.handler is not None and eye.trigger == _Pin.IRQ_RISING | _Pin.IRQ_FALLING
    assert io.pins["edge"].__class__ is _Adc and io.pins["lock"].handler is None
    task = asyncio.create_task(io.run())
    await asyncio.sleep_ms(20)
    wake.clear()

    # An edge: the "ISR" records the time and sets the flag; the io task reads the pin and wakes
    # the role, keeping the ISR's time as the change time.
    eye.level = 1
    eye.handler(eye)
    isr_time = io._edge_at[0]
    await asyncio.wait_for_ms(wake.wait(), 500)
    assert io.get("photo_eye") == 1, "the edge was not read"
    assert io.changed_at("photo_eye") == isr_time, "the change time is not the ISR's"
    wake.clear()

    # A glitch the IRQ saw but that is gone when the task reads the pin: no change, no wake.
    loop = io.pins["loop"]
    loop.level = 1
    loop.handler(loop)
    loop.level = 0
    await asyncio.sleep_ms(50)
    assert io.get("loop") == 0 and not wake.is_set()

    # An analogue input is read when the role asks (its tick is the sample), with its change time.
    io.pins["edge"].counts = 300
    t0 = time.ticks_ms()
    assert io.get("edge") == 300 and ticks_diff(io.changed_at("edge"), t0) >= 0

    # A level change the IRQ never reported is still found by the periodic re-read.
    eye.level = 0
    await asyncio.wait_for_ms(wake.wait(), 1500)
    assert io.get("photo_eye") == 0
    task.cancel()
    print("pin io: ok")


asyncio.run(main())
