"""Collects site-file problems (never stops at the first) and reads typed values from TOML tables,
recording a problem with its line, key and fix for anything missing, unknown or of the wrong type."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from controller.site.errors import SiteProblem
from controller.site.locate import KeyLocator

MISSING = object()

_TYPE_WORDS = {int: "a whole number", float: "a number", str: "a text string",
               bool: "true or false", list: "a list", dict: "a table"}


def key_text(path: tuple) -> str:
    """("devices", 3, "unit") -> "devices[3].unit"."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _is(value: Any, kind: type) -> bool:
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, kind)


class Checker:
    def __init__(self, file: str, locator: KeyLocator):
        self.file = file
        self.locator = locator
        self.problems: list[SiteProblem] = []

    def line(self, path: tuple) -> int:
        return self.locator.line_of(path)

    def problem(self, path: tuple, what: str, fix: str) -> None:
        self.problems.append(SiteProblem(self.file, self.line(path), key_text(path), what, fix))

    def bad_value(self, path: tuple, value: Any, must: str, fix: str) -> None:
        self.problem(path, f"{key_text(path)} = {value!r}: {must}", fix)

    def unknown_keys(self, table: dict, path: tuple, allowed: Iterable[str]) -> None:
        allowed = tuple(allowed)
        for key in table:
            if key not in allowed:
                where = key_text(path) or "the top level"
                self.problem(path + (key,), f"{key_text(path + (key,))}: unknown key in {where}",
                             f"remove it or use one of: {', '.join(allowed)}")

    def get(self, table: dict, path: tuple, key: str, kind: type, *, default: Any = MISSING,
            hint: str = "") -> Any:
        """table[key] checked against kind; the default (or None, with a problem, when there
        is no default) for a missing or mistyped value."""
        where = path + (key,)
        if key not in table:
            if default is MISSING:
                self.problem(path, f"{key_text(path) or 'the file'}: missing key '{key}'",
                             f"add {key} = {hint or _TYPE_WORDS[kind]}")
                return None
            return default
        value = table[key]
        if not _is(value, kind):
            self.bad_value(where, value, f"must be {_TYPE_WORDS[kind]}",
                           f"write {key} = {hint or _TYPE_WORDS[kind]}")
            return None if default is MISSING else default
        return float(value) if kind is float else value

    def get_choice(self, table: dict, path: tuple, key: str, choices: tuple,
                   *, default: Any = MISSING, fix: str = "") -> Any:
        value = self.get(table, path, key, str, default=default,
                         hint=" | ".join(f'"{c}"' for c in choices))
        if value is None or value in choices:
            return value
        self.bad_value(path + (key,), value, f"must be one of {', '.join(choices)}",
                       fix or f"write one of: {', '.join(choices)}")
        return None if default is MISSING else default

    def get_range(self, table: dict, path: tuple, key: str, kind: type, lo: float, hi: float,
                  *, default: Any = MISSING, fix: str = "") -> Any:
        value = self.get(table, path, key, kind, default=default, hint=f"{lo}..{hi}")
        if value is None or lo <= value <= hi:
            return value
        self.bad_value(path + (key,), value, f"must be {lo}..{hi}",
                       fix or f"give {key} a value between {lo} and {hi}")
        return None if default is MISSING else default

    def tables(self, doc: dict, key: str) -> list[tuple[tuple, dict]]:
        """An array of tables ([[key]]) as (path, table) pairs; a problem if it is not one."""
        value = doc.get(key, [])
        if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
            self.problem((key,), f"{key}: must be an array of tables", f"write each entry "
                         f"as a [[{key}]] table")
            return []
        return [((key, i), t) for i, t in enumerate(value)]

    def table(self, doc: dict, path: tuple, key: str) -> dict:
        value = doc.get(key, {})
        if not isinstance(value, dict):
            self.problem(path + (key,), f"{key_text(path + (key,))}: must be a table",
                         f"write it as a [{key_text(path + (key,))}] table")
            return {}
        return value

    def unique(self, items: list[tuple[tuple, Any]], what: str, fix: str) -> None:
        """A problem for each repeated value (path, value) after its first appearance."""
        seen: dict[Any, tuple] = {}
        for path, value in items:
            if value is None:
                continue
            if value in seen:
                self.bad_value(path, value, f"duplicate {what} (first at line "
                               f"{self.line(seen[value])})", fix)
            else:
                seen[value] = path
