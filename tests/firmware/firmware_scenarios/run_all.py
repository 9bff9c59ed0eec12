# Runs every scenario_* of the role scenario modules; used by pytest (CPython) and directly under
# the MicroPython unix port:  MICROPYPATH=<repo>/firmware:<repo>:<repo>/tests/firmware micropython run_all.py
import sys

MODULES = (
    "core_scenarios", "gate_scenarios", "bollard_scenarios", "panic_scenarios", "smoke_scenarios",
    "door_scenarios", "intrusion_scenarios", "checkpoint_scenarios",
)


def load(name):
    return __import__("firmware_scenarios." + name, None, None, ("x",))


def scenarios():
    out = []
    for name in MODULES:
        module = load(name)
        for attr in sorted(dir(module)):
            if attr.startswith("scenario_"):
                out.append((name, attr, getattr(module, attr)))
    return out


def main():
    passed = failed = 0
    for module, name, fn in scenarios():
        try:
            fn()
            passed += 1
        except Exception as e:  # noqa: BLE001 - report every failure, keep going
            failed += 1
            print("FAIL %s.%s: %r" % (module, name, e))
            if hasattr(sys, "print_exception"):
                sys.print_exception(e)
    print("firmware scenarios: %d passed, %d failed" % (passed, failed))


if __name__ == "__main__":
    main()
