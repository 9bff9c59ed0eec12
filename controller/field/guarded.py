"""Running a field-tool command: a FieldError becomes the message, its fix and its exit code."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from controller.field.errors import FieldError


def run_guarded(args: argparse.Namespace, command: Callable[[argparse.Namespace], int]) -> int:
    """command(args), or the failure reported for a person (stderr) and a script (--json)."""
    try:
        return command(args)
    except FieldError as exc:
        if args.json:
            print(json.dumps(exc.as_dict()))
        sys.stderr.write("%s: %s\n" % (exc.prefix, exc.message))
        if exc.hint:
            sys.stderr.write("  fix: %s\n" % exc.hint)
        return exc.exit_code
