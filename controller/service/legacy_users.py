"""The site file's [[users]] (wave 1) no longer decides who may act: the operator store in the
state dir does (`campusguard user add`). The loader still accepts [[users]] so old site files
load, the alarm mapping still numbers Contact ID users by it, and `campusguard run` says once
that it is ignored for authority and how to add operators."""

from __future__ import annotations

import sys

from controller.site.model import Site


def legacy_users_notice(site: Site) -> str | None:
    if not site.users:
        return None
    names = ", ".join(f"{u.name} ({u.role})" for u in site.users)
    return (f"note: [[users]] in {site.path} ({names}) no longer decides who may act; operators "
            f"live in the state dir. Add each with `campusguard user add NAME --role "
            f"guard|supervisor|technician|viewer [--os-user ACCOUNT] --state-dir DIR` "
            f"(password and PIN on stdin or prompted).")


def warn_legacy_users(site: Site) -> None:
    notice = legacy_users_notice(site)
    if notice is not None:
        print(f"campusguard: {notice}", file=sys.stderr, flush=True)
