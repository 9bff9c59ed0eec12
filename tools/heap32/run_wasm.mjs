// Boots one firmware role in the MicroPython WebAssembly port (wasm32: a 32-bit MicroPython) and
// reports its heap. Driven by tools/firmware_heap32.py, which stages the firmware tree and writes
// the boot steps (boot_steps.py.in, filled in) as JSON.
//   node run_wasm.mjs PACKAGE_DIR STAGE_DIR STEPS_JSON LO_KIB HI_KIB STEP_KIB
// Prints one JSON line: the run at HI (allocations after each step) and the smallest heap, in
// STEP_KIB steps between LO and HI, in which every step ran without the heap growing.
// This port cannot collect garbage inside a call (it cannot scan the wasm stack): gc.collect()
// and a full heap only mark a collection, done when the next top-level call starts, and a full
// heap grows by a new area instead. So each step is its own call, the collections happen at
// main.py's own gc.collect() points, and "fits" means the heap never grew.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pkgDir, stageDir, stepsFile, loKiB, hiKiB, stepKiB] = process.argv.slice(2);
const { loadMicroPython } = await import(pathToFileURL(path.join(pkgDir, "micropython.mjs")).href);
const steps = JSON.parse(fs.readFileSync(stepsFile, "utf8"));

function copyTree(FS, src, dst) {
  FS.mkdirTree(dst);
  for (const name of fs.readdirSync(src)) {
    const s = path.join(src, name);
    const d = dst + "/" + name;
    if (fs.statSync(s).isDirectory()) copyTree(FS, s, d);
    else FS.writeFile(d, fs.readFileSync(s));
  }
}

async function boot(heapBytes) {
  let out = "";
  const mp = await loadMicroPython({
    heapsize: heapBytes,
    stdout: (s) => { out += s + "\n"; },
    stderr: (s) => { out += s + "\n"; },
  });
  copyTree(mp.FS, path.join(stageDir, "fw"), "/fw");
  copyTree(mp.FS, path.join(stageDir, "flash"), "/flash");
  const probe = () => {
    mp.runPython("import gc\n_hx_a = gc.mem_alloc()\n_hx_t = gc.mem_alloc() + gc.mem_free()");
    return [mp.globals.get("_hx_a"), mp.globals.get("_hx_t")];
  };
  const [baseline, total0] = probe();
  const alloc = {};
  for (const [name, src] of steps) {
    try {
      mp.runPython(src);
    } catch (e) {
      return { ok: false, step: name, error: String(e.message || e).trim().split("\n").slice(-1)[0], out };
    }
    const [a, t] = probe();
    alloc[name] = a;
    if (t !== total0) return { ok: false, step: name, error: "heap grew by " + (t - total0) + " bytes", alloc, baseline };
  }
  return { ok: true, alloc, baseline, out };
}

const KiB = 1024;
const hi = Number(hiKiB), lo = Number(loKiB), step = Number(stepKiB);
const top = await boot(hi * KiB);
let result = { heap_kib: hi, at_hi: top, min_kib: null };
if (top.ok) {
  let good = hi, bad = lo - step; // invariant: good fits, bad does not (lo - step: assumed not)
  while (good - bad > step) {
    const mid = bad + Math.floor((good - bad) / step / 2) * step;
    const r = await boot(mid * KiB);
    if (r.ok) good = mid; else bad = mid;
  }
  result.min_kib = good;
}
process.stdout.write(JSON.stringify(result) + "\n");
