# CampusGuard device firmware entry point. The board is chosen by the platform (esp32, rp2; the
# unix port runs the sim board), the role by the configuration on the flash.
#   unix port: micropython -X heapsize=128k firmware/main.py --uart HOST:PORT --io HOST:PORT --flash DIR
import asyncio
import gc
import sys

from core import register_map as R
from core.config_store import ConfigStore
from core.ticks import Clock

_ROLE_TICK_MS = 10  # input scan: obstruction to motor off well under the 100 ms aim
_HOUSEKEEPING_MS = 100
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


async def _every(period_ms, step, alive):
    while True:
        step()
        alive()
        await asyncio.sleep_ms(period_ms)


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
    io = board.make_io(role_points(role_code), clock)
    role = cls(bank, io, clock, log) if cls else None
    device = Device(bank, cfg, store, role, clock, board.reset_cause(), io, log)
    identity = (
        (0, VENDOR.encode()),
        (1, product_code(R.ROLE_NAMES[role_code]).encode()),
        (2, revision().encode()),
    )
    watchdog = board.watchdog(_WATCHDOG_MS)
    supervisor = Supervisor(watchdog)
    uart = board.open_uart(cfg["baud"], cfg["parity"], cfg["stopbits"])
    alive = supervisor.register("modbus", 1000)
    slave = ModbusSlave(uart, device, cfg["baud"], identity, alive, board.reset)
    tasks = [
        asyncio.create_task(slave.run()),
        asyncio.create_task(
            _every(_HOUSEKEEPING_MS, device.housekeeping, supervisor.register("upkeep", 1000))
        ),
        asyncio.create_task(io.run()),
        asyncio.create_task(supervisor.run()),
    ]
    if role:
        alive = supervisor.register("role", 500)
        tasks.append(asyncio.create_task(_every(_ROLE_TICK_MS, role.tick, alive)))
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
