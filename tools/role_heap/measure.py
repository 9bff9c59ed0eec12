# ruff: noqa: E402 - imports come after gc.collect() on purpose: they are what is measured
# Heap of one role on this MicroPython: the firmware modules a device imports (register map copied
# and dropped as main.py does), the bank, the role object, 1 s of ticks; gc.mem_alloc after collect.
# 64-bit (unix port):  MICROPYPATH=".frozen:firmware:.:tests/firmware" .venv/bin/micropython \
#                          -X heapsize=512k tools/role_heap/measure.py door
# 32-bit (WebAssembly port under Node.js): see tools/role_heap/run_wasm.mjs
import gc
import sys

ROLE = sys.argv[1] if len(sys.argv) > 1 else ROLE_NAME  # noqa: F821 (wasm: set by the runner)
gc.collect()
base = gc.mem_alloc()
from core import register_map as R

code = R.role_code(ROLE)
R.select_role(code)
gc.collect()
if code == R.ROLE_GATE:
    from roles.gate import Gate as cls
elif code == R.ROLE_DOOR:
    from roles.door import Door as cls
elif code == R.ROLE_CHECKPOINT:
    from roles.checkpoint import Checkpoint as cls
elif code == R.ROLE_INTRUSION:
    from roles.intrusion import Intrusion as cls
elif code == R.ROLE_PANIC:
    from roles.panic import Panic as cls
gc.collect()
from core.modbus_slave import ModbusSlave  # noqa: F401

gc.collect()
from core.device import Device  # noqa: F401

gc.collect()
from core.io_map import role_points
from core.register_bank import RegisterBank
from firmware_scenarios.fakes import FakeIo, SteppedClock

clock = SteppedClock()
bank = RegisterBank(code)
io = FakeIo(role_points(code), clock)
role = cls(bank, io, clock)
for _ in range(100):
    clock.advance(10)
    role.tick()
# (wasm: the runner splits the file here and collects in between)
gc.collect()
print("%s %d-bit: %d bytes in use (firmware modules + bank + role), %d free of the heap" % (
    ROLE, 64 if sys.maxsize > 2**32 else 32, gc.mem_alloc() - base, gc.mem_free()))
