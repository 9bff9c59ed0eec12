# Firmware tests: the role modules are importable from CPython (firmware/ on sys.path, as the
# device's flat layout puts them at the top level), and firmware_process.py runs the real firmware
# under the MicroPython unix port.
import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
for _path in (str(_HERE.parents[1] / "firmware"), str(_HERE)):
    if _path not in sys.path:
        sys.path.insert(0, _path)


import pytest  # noqa: E402


@pytest.fixture
def firmware(tmp_path):
    """Factory: firmware(role, **config) boots the real firmware under micropython; all are
    stopped at teardown."""
    from firmware_process import FirmwareProcess

    started = []

    def start(role="gate", **kwargs):
        fw = FirmwareProcess(tmp_path / ("flash%d" % len(started)), role=role, **kwargs)
        started.append(fw)
        return fw.start()

    yield start
    for fw in started:
        fw.stop()
