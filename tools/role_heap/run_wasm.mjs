// tools/role_heap/measure.py under MicroPython's WebAssembly port (32-bit), firmware files mounted.
//   cd /tmp/x && npm install @micropython/micropython-webassembly-pyscript@1.27.0
//   cp <repo>/tools/role_heap/run_wasm.mjs /tmp/x/ && node /tmp/x/run_wasm.mjs <repo> door
// (an ES module resolves the package next to the script, hence the copy)
// gc.collect() cannot scan the wasm stack from inside Python: the measurement's final collect runs
// in its own runPython call, after the imports' call has returned to JS.
import { loadMicroPython } from "@micropython/micropython-webassembly-pyscript";
import fs from "node:fs";
import path from "node:path";

const repo = process.argv[2], role = process.argv[3];
const script = fs.readFileSync(repo + "/tools/role_heap/measure.py", "utf8");
const split = script.lastIndexOf("# (wasm:");
const mp = await loadMicroPython({ heapsize: 512 * 1024, stdout: (l) => console.log(l), stderr: (l) => console.error(l) });
function mount(src, dst) {
  mp.FS.mkdirTree(dst);
  for (const name of fs.readdirSync(src)) {
    const s = path.join(src, name);
    if (fs.statSync(s).isDirectory()) { if (name !== "__pycache__") mount(s, dst + "/" + name); }
    else if (name.endsWith(".py")) mp.FS.writeFile(dst + "/" + name, fs.readFileSync(s));
  }
}
mount(repo + "/firmware/core", "/fw/core");
mount(repo + "/firmware/roles", "/fw/roles");
mount(repo + "/protocols", "/lib/protocols");
mp.FS.mkdirTree("/lib/firmware_scenarios");
mp.FS.writeFile("/lib/firmware_scenarios/__init__.py", "");
mp.FS.writeFile("/lib/firmware_scenarios/fakes.py", fs.readFileSync(repo + "/tests/firmware/firmware_scenarios/fakes.py"));
mp.runPython(`import sys\nsys.path.insert(0, "/lib")\nsys.path.insert(0, "/fw")\nROLE_NAME = "${role}"`);
mp.runPython(script.slice(0, split));
mp.runPython("import gc\ngc.collect()");  // the JS side unwound: nothing left on the wasm stack
mp.runPython(script.slice(split));
