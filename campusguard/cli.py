"""`campusguard` command: one argparse tree, each layer contributes its own verbs.

Each module named in _VERB_MODULES exposes `register(subparsers)`, which adds its verbs and sets
`func` (a callable taking the parsed args and returning an exit code) on each parser.
"""

import argparse
import importlib
import importlib.util
import sys

# (module, what it adds). A module that is not present in this tree is skipped, so a partial
# checkout still runs the verbs it has; an import error inside a present module is raised.
_VERB_MODULES = (
    ("sim.cli", "sim up|down|inject|status"),
    ("controller.cli", "run, status, lockdown, clear, ack, events, demo"),
    ("controller.field.cli", "diag, flash, bundle"),
    ("controller.identity.user_cli", "user add|passwd|disable|list"),
    ("hil.cli", "bench"),
    ("campusguard.demo", "demo: the scripted morning on the simulated demo campus"),
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="campusguard",
        description="Campus gates, bollards, smoke detectors and panic stations over Modbus RTU.",
    )
    parser.add_argument("--version", action="version", version="campusguard 0.1.0")
    subparsers = parser.add_subparsers(dest="verb", metavar="VERB")
    for module_name, _ in _VERB_MODULES:
        if importlib.util.find_spec(module_name.rsplit(".", 1)[0]) is None:
            continue
        if importlib.util.find_spec(module_name) is None:
            continue
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
