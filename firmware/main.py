# CampusGuard device firmware entry point. The board is chosen by the platform (esp32, rp2; the
# unix port runs the sim board), the role by the configuration on the flash.
#   unix port: micropython -X heapsize=128k firmware/main.py --uart HOST:PORT --io HOST:PORT --flash DIR
import asyncio
import gc
import sys

from core import register_map as R
from core.config_store import ConfigStore
from core.ticks import Clock

# Idling: no task wakes on a short fixed period. The role is ticked when an input edge (the io layer
# signals `wake`), a command, a mode or a comm-loss change arrives, else after the role's own
# next_tick_ms() (10 ms while anything moves; up to 1 s at rest); housekeeping runs at its own
# deadlines (1 s, sooner for comm loss); the slave waits on UART bytes.
_ROLE_LONGEST_WAIT_MS = 1000  # whatever a role asks for, it is ticked at least once a second
_ROLE_MAX_GAP_MS = 1500  # supervisor: the role loop reports at least this often
_WATCHDOG_MS = 2000


def _board_module():
    if sys.platform == "esp32":
        from board import esp32 as board
    elif sys.platform == "rp2":
        from board import rp2 as board
    else:
        from board import sim as board
    return board


def _role_class(code):
    if code == R.ROLE_GATE:
        from roles.gate import Gate as cls
    elif code == R.ROLE_BOLLARD:
        from roles.bollard import Bollard as cls
    elif code == R.ROLE_PANIC:
        from roles.panic import Panic as cls
    elif code == R.ROLE_SMOKE:
        from roles.smoke import Smoke as cls
    elif code == R.ROLE_DOOR:
        from roles.door import Door as cls
    elif code == R.ROLE_CHECKPOINT:
        from roles.checkpoint import Checkpoint as cls
    elif code == R.ROLE_INTRUSION:
        from roles.intrusion import Intrusion as cls
    else:
        cls = None
    return cls


async def _housekeeping(step, alive):
    while True:
        alive()
        await asyncio.sleep_ms(step())  # step() returns the ms until it is next due


async def _role_loop(role, clock, wake, alive):
    while True:
        role.tick()
        alive()
        wait = min(role.next_tick_ms(clock.now()), _ROLE_LONGEST_WAIT_MS)
        if wait <= 0:
            await asyncio.sleep_ms(0)
            continue
        try:  # an edge ends the wait at once, also on the fast tick: the reaction starts there
            await asyncio.wait_for_ms(wake.wait(), wait)
        except asyncio.TimeoutError:
            pass
        wake.clear()  # the tick that follows sees whatever set it


async def run(board):
    clock = Clock()
    store = ConfigStore(board.flash_dir)
    cfg = store.load()
    log = board.log if board.verbose else None
    if log and store.error:
        log("config: %s (using %s)" % (store.error, store.source))
    role_code = R.role_code(cfg["role"]) if cfg["role"] in R.ROLE_NAMES[1:] else 0
    R.select_role(role_code)  # frees the full register map on MicroPython
    gc.collect()
    # Imported only now, after the full register map is gone, biggest first and with a collection
    # between: compiling a module needs a transient heap several times its size.
    cls = _role_class(role_code)
    gc.collect()
    from core.modbus_slave import ModbusSlave

    gc.collect()
    from core.device import Device

    gc.collect()
    from core.io_map import role_points
    from core.register_bank import RegisterBank
    from core.supervisor import Supervisor
    from core.version import VENDOR, product_code, revision

    bank = RegisterBank(role_code)
    # Set (in task context) by the io layer on an input edge and by the device on a command, a
    # mode or a comm-loss change. An Event, not a ThreadSafeFlag: the unix port polls a flag in a
    # busy loop; on a board the pin ISR sets the io layer's own ThreadSafeFlag (pin_board.py).
    wake = asyncio.Event()
    io = board.make_io(role_points(role_code), clock, wake)
    role = cls(bank, io, clock, log) if cls else None
    device = Device(bank, cfg, store, role, clock, board.reset_cause(), io, log, wake.set)
    identity = (
        (0, VENDOR.encode()),
        (1, product_code(R.ROLE_NAMES[role_code]).encode()),
        (2, revision().encode()),
    )
    watchdog = board.watchdog(_WATCHDOG_MS)
    supervisor = Supervisor(watchdog)
    uart = board.open_uart(cfg["baud"], cfg["parity"], cfg["stopbits"])
    alive = supervisor.register("modbus", 1500)  # idle: a first-byte wait of 500 ms
    slave = ModbusSlave(uart, device, cfg["baud"], identity, alive, board.reset)
    tasks = [
        asyncio.create_task(slave.run()),
        asyncio.create_task(_housekeeping(device.housekeeping, supervisor.register("upkeep", 1500))),
        asyncio.create_task(io.run()),
        asyncio.create_task(supervisor.run()),
    ]
    if role:
        alive = supervisor.register("role", _ROLE_MAX_GAP_MS)
        tasks.append(asyncio.create_task(_role_loop(role, clock, wake, alive)))
    if hasattr(watchdog, "run"):
        tasks.append(asyncio.create_task(watchdog.run()))
    gc.collect()
    if log:
        log("heap free after boot: %d bytes" % gc.mem_free())
        log("booted %s unit %d (%s config)" % (R.ROLE_NAMES[role_code], device.unit, store.source))
    await asyncio.gather(*tasks)


def main():
    board = _board_module().Board(sys.argv)
    try:
        asyncio.run(run(board))
    except KeyboardInterrupt:
        sys.exit(0)


main()
