"""`campusguard site check FILE [--json]`: the installer's check of a site file, by the same loader
the host, the simulator, bundle and flash use. Exit 0: valid; 1: problems, every one at once, each
`FILE:LINE: what. Fix: how`."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from controller.site.errors import SiteError
from controller.site.load import load_site

EXIT_VALID = 0
EXIT_PROBLEMS = 1


def register(subparsers) -> None:
    site = subparsers.add_parser("site", help="site file tools: check")
    verbs = site.add_subparsers(dest="site_verb", metavar="check")
    site.set_defaults(func=lambda args: (site.print_help(), 2)[1])
    check = verbs.add_parser(
        "check", help="validate a site file: every problem at once, with its line and the fix")
    check.add_argument("file", metavar="FILE", help="the site file (TOML)")
    check.add_argument("--json", action="store_true", help="machine-readable output")
    check.set_defaults(func=cmd_check)


def cmd_check(args: argparse.Namespace) -> int:
    try:
        site = load_site(args.file)
    except SiteError as exc:
        if args.json:
            print(json.dumps({"ok": False, "file": args.file,
                              "problems": [asdict(p) | {"text": str(p)} for p in exc.problems]},
                             indent=1))
        else:
            for problem in exc.problems:
                print(problem)
            count = len(exc.problems)
            print(f"{count} problem{'s' if count != 1 else ''} in {args.file}", file=sys.stderr)
        return EXIT_PROBLEMS
    summary = {"ok": True, "file": args.file, "site": site.name, "buses": len(site.buses),
               "gateways": len(site.gateways), "zones": len(site.zones),
               "devices": len(site.devices), "problems": []}
    if args.json:
        print(json.dumps(summary, indent=1))
    else:
        print(f"{args.file}: valid: site {site.name!r}, {len(site.buses)} bus(es), "
              f"{len(site.zones)} zone(s), {len(site.devices)} device(s)")
    return EXIT_VALID
