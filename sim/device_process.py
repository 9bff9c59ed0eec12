"""A device's firmware running as a `micropython` process on the sim board, and its power switch.

Exit codes of the sim board (firmware/README.md): 0 clean stop, 10 reboot requested (config commit,
reboot command), 11 watchdog expired: the process is started again at once, as the board would
reset. Any other exit is a crash; a real board's watchdog would reset it, so it is restarted too,
after a back-off so a broken build does not spin. Power off is SIGKILL (no goodbye, like pulling the
plug); power on starts it again.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIRMWARE_DIR = REPO / "firmware"
EXIT_REBOOT = 10
EXIT_WATCHDOG = 11
_CRASH_BACKOFF_S = (0.2, 1.0, 5.0)
_STOP_GRACE_S = 2.0


_PR_SET_PDEATHSIG = 1


def _die_with_the_simulator() -> None:
    """In the child before exec: SIGKILL it when the simulator dies, even by SIGKILL (Linux).

    Otherwise an orphaned device would retry its UART connection forever.
    """
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def micropython_binary() -> Path:
    local = Path(sys.executable).parent / "micropython"
    if local.exists():
        return local
    return REPO / ".venv" / "bin" / "micropython"


class DeviceProcess:
    def __init__(
        self, name: str, uart_port: int, io_port: int, flash_dir: Path, heapsize: str = "192k"
    ) -> None:
        self.name = name
        self.flash_dir = flash_dir
        self.powered = False
        self.boots = 0  # process starts
        self.reboots = 0  # restarts after exit 10 (requested reboot)
        self.watchdog_resets = 0  # restarts after exit 11
        self.crashes = 0  # restarts after any other exit
        self.last_exit: int | None = None
        self._argv = [
            str(micropython_binary()),
            "-X",
            f"heapsize={heapsize}",
            str(FIRMWARE_DIR / "main.py"),
            "--uart",
            f"127.0.0.1:{uart_port}",
            "--io",
            f"127.0.0.1:{io_port}",
            "--flash",
            str(flash_dir),
        ]
        self._env = dict(os.environ, MICROPYPATH=f".frozen:{FIRMWARE_DIR}:{REPO}")
        self._process: asyncio.subprocess.Process | None = None
        self._watcher: asyncio.Task | None = None
        self._log_path = flash_dir.parent / f"{flash_dir.name}.console.log"

    @property
    def argv(self) -> list[str]:
        return list(self._argv)

    @property
    def console_log(self) -> Path:
        return self._log_path

    @property
    def pid(self) -> int | None:
        return (
            self._process.pid
            if self._process is not None and self._process.returncode is None
            else None
        )

    async def power_on(self) -> None:
        if self.powered:
            return
        self.powered = True
        await self._spawn()
        self._watcher = asyncio.get_running_loop().create_task(self._watch())

    async def power_off(self) -> None:
        """Pull the plug: SIGKILL, no clean shutdown."""
        await self._halt(signal.SIGKILL)

    async def stop(self) -> None:
        """Clean stop (SIGTERM, then SIGKILL after a grace period)."""
        await self._halt(signal.SIGTERM)

    async def _halt(self, sig: int) -> None:
        self.powered = False
        if self._watcher is not None:
            self._watcher.cancel()
            try:
                await self._watcher
            except asyncio.CancelledError:
                pass
            self._watcher = None
        process = self._process
        if process is None or process.returncode is not None:
            return
        try:
            process.send_signal(sig)
        except ProcessLookupError:
            return
        try:
            await asyncio.wait_for(process.wait(), _STOP_GRACE_S)
        except TimeoutError:
            process.kill()
            await process.wait()

    async def _spawn(self) -> None:
        self.boots += 1
        with open(self._log_path, "ab") as log:
            log.write(f"--- boot {self.boots}\n".encode())
            log.flush()
            self._process = await asyncio.create_subprocess_exec(
                *self._argv,
                env=self._env,
                cwd=str(self.flash_dir),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,  # Ctrl-C in the terminal reaches the simulator, not each device
                preexec_fn=_die_with_the_simulator,
            )

    async def _watch(self) -> None:
        crashes_in_row = 0
        while self.powered:
            assert self._process is not None
            code = await self._process.wait()
            self.last_exit = code
            if not self.powered:
                return
            if code == EXIT_REBOOT:
                self.reboots += 1
                crashes_in_row = 0
            elif code == EXIT_WATCHDOG:
                self.watchdog_resets += 1
                crashes_in_row = 0
            else:
                self.crashes += 1
                backoff = _CRASH_BACKOFF_S[min(crashes_in_row, len(_CRASH_BACKOFF_S) - 1)]
                crashes_in_row += 1
                await asyncio.sleep(backoff)
                if not self.powered:
                    return
            await self._spawn()
