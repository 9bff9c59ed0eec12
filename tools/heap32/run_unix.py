# Boots one firmware role in the MicroPython unix port (64-bit) with the same boot steps as
# run_wasm.mjs and prints the heap figures as one JSON line. Run by tools/firmware_heap32.py:
#   micropython -X heapsize=N run_unix.py STEPS_DIR [noauto]
# "noauto": automatic collection off, so garbage is collected only at main.py's gc.collect()
# points, as in the WebAssembly port; without it the port collects whenever the heap is full.
import gc
import json
import os
import sys

_hx_d = sys.argv[1]
if len(sys.argv) > 2 and sys.argv[2] == "noauto":
    gc.disable()
gc.collect()
_hx_r = {"ok": True, "alloc": {}, "baseline": gc.mem_alloc()}
for _hx_f in sorted(os.listdir(_hx_d)):
    _hx_name = _hx_f[3:-3]
    try:
        with open(_hx_d + "/" + _hx_f) as _hx_fh:
            _hx_src = _hx_fh.read()
        exec(_hx_src, globals())
        _hx_src = None
    except Exception as _hx_e:  # MemoryError and any failure: the step did not run
        _hx_src = None
        _hx_r["ok"] = False
        _hx_r["step"] = _hx_name
        _hx_r["error"] = "%s: %s" % (type(_hx_e).__name__, _hx_e)
        break
    gc.collect()
    _hx_r["alloc"][_hx_name] = gc.mem_alloc()
_hx_r["modules"] = [m for m in sys.modules]
print(json.dumps(_hx_r))
