"""[control]: the control socket's group (optional).

    [control]
    group = "campusguard"   # the socket is 0660 root-of-host:campusguard; add guards' accounts

Whether the group exists is checked where the host runs (the site file may be checked elsewhere):
the host refuses to start on a group it cannot use, naming this file and line."""

from __future__ import annotations

import re

from controller.site.checker import Checker
from controller.site.model import ControlConfig

GROUP_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,31}$")  # POSIX portable group names


def read_control(check: Checker, doc: dict) -> ControlConfig:
    table = check.table(doc, (), "control")
    if not table:
        return ControlConfig()
    path = ("control",)
    check.unknown_keys(table, path, ("group",))
    group = check.get(table, path, "group", str, default=None, hint='"campusguard"')
    if group is not None and not GROUP_RE.match(group):
        check.bad_value(path + ("group",), group, "is not a valid group name",
                        'write an existing OS group, e.g. group = "campusguard"')
        group = None
    return ControlConfig(group=group or None, line=check.line(path + ("group",)))
