"""`campusguard user add|passwd|disable|list`: manage the operator roster in the state dir.

Credentials never go on the command line (they would show in `ps` and shell history): from a
terminal they are asked for with getpass; otherwise stdin gives the password on line 1 and the
PIN on line 2 (for `passwd`, an empty line keeps that credential)."""

from __future__ import annotations

import argparse
import getpass
import json
import pwd
import sys

from controller.identity.errors import IdentityError
from controller.identity.model import ROLES
from controller.identity.store import OperatorStore
from controller.service.paths import StatePaths


def register(subparsers) -> None:
    p = subparsers.add_parser("user", help="operators: add, passwd, disable, list")
    verbs = p.add_subparsers(dest="user_verb", metavar="add|passwd|disable|list", required=True)

    add = verbs.add_parser("add", help="add an operator (password and PIN from stdin or prompts)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--os-user", default=None, metavar="ACCOUNT",
                     help="OS account that acts as this operator on the control socket")
    _state_dir(add)
    add.set_defaults(func=cmd_add)

    passwd = verbs.add_parser("passwd", help="change an operator's password and PIN")
    passwd.add_argument("name")
    _state_dir(passwd)
    passwd.set_defaults(func=cmd_passwd)

    disable = verbs.add_parser("disable", help="disable an operator (kept in the log's history)")
    disable.add_argument("name")
    _state_dir(disable)
    disable.set_defaults(func=cmd_disable)

    listing = verbs.add_parser("list", help="list operators")
    _state_dir(listing)
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(func=cmd_list)


def _state_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--state-dir", default=None,
                        help="the host's state dir (operators.db lives there); "
                             "default $CAMPUSGUARD_STATE or ./state")


def _store(args) -> OperatorStore:
    return OperatorStore(StatePaths.of(args.state_dir).root)


def _fail(message: str) -> int:
    print(f"campusguard: {message}", file=sys.stderr)
    return 1


def _credentials(keep_allowed: bool) -> tuple[str | None, str | None]:
    """(password, PIN) from prompts on a terminal, else lines 1 and 2 of stdin."""
    if sys.stdin.isatty():
        hint = " (empty: keep)" if keep_allowed else ""
        password = getpass.getpass(f"password{hint}: ")
        pin = getpass.getpass(f"PIN, 4-8 digits{hint}: ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
        pin = sys.stdin.readline().rstrip("\r\n")
    if keep_allowed:
        return password or None, pin or None
    return password, pin


def cmd_add(args) -> int:
    if args.os_user:
        try:
            pwd.getpwnam(args.os_user)
        except KeyError:
            print(f"campusguard: warning: no OS account {args.os_user!r} on this machine yet; "
                  f"{args.name} acts as it once it exists", file=sys.stderr)
    try:
        store = _store(args)
        password, pin = _credentials(keep_allowed=False)
        operator = store.add(args.name, args.role, password, pin, os_user=args.os_user)
    except (IdentityError, OSError) as exc:
        return _fail(str(exc))
    mapped = f", acts as OS account {operator.os_user}" if operator.os_user else ""
    print(f"operator {operator.name} added: {operator.role}{mapped} ({store.path})")
    return 0


def cmd_passwd(args) -> int:
    try:
        store = _store(args)
        if store.get(args.name) is None:  # say so before asking for secrets
            return _fail(f"no operator {args.name!r} in {store.path}. Fix: `campusguard user "
                         f"list` shows them")
        password, pin = _credentials(keep_allowed=True)
        if password is None and pin is None:
            return _fail("nothing to change: give a new password (line 1) and/or PIN (line 2)")
        store.set_credentials(args.name, password=password, pin=pin)
    except (IdentityError, OSError) as exc:
        return _fail(str(exc))
    changed = " and ".join(w for w, v in (("password", password), ("PIN", pin)) if v)
    print(f"operator {args.name}: {changed} changed")
    return 0


def cmd_disable(args) -> int:
    try:
        _store(args).disable(args.name)
    except (IdentityError, OSError) as exc:
        return _fail(str(exc))
    print(f"operator {args.name} disabled: can no longer sign in, confirm with a PIN or act "
          f"from a mapped account")
    return 0


def cmd_list(args) -> int:
    try:
        operators = _store(args).list()
    except OSError as exc:
        return _fail(str(exc))
    if args.json:
        print(json.dumps([{"name": o.name, "role": o.role, "os_user": o.os_user,
                           "disabled": o.disabled} for o in operators], indent=1))
        return 0
    if not operators:
        print("no operators. Add one: campusguard user add NAME --role guard|supervisor|...")
    for o in operators:
        state = "DISABLED" if o.disabled else "active"
        print(f"{o.name:<24} {o.role:<11} {state:<8} {o.os_user or '-'}")
    return 0
