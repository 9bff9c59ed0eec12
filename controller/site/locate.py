"""Line numbers for keys of a TOML document. tomllib gives none, so scan the text: table headers
([a.b], [[a]]) and `key = value` lines, skipping multi-line strings and arrays.

Paths are tuples of keys and 0-based array-of-tables indexes: ("devices", 3, "unit").
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*(\[\[?)\s*(.+?)\s*(\]\]?)\s*(#.*)?$")
_KEY = re.compile(r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=""")

Path = tuple  # tuple[str | int, ...]


def split_key(text: str) -> list[str]:
    """'a."b.c".d' -> ['a', 'b.c', 'd']."""
    parts, current, quote = [], "", ""
    for char in text:
        if quote:
            if char == quote:
                quote = ""
            else:
                current += char
        elif char in "\"'":
            quote = char
        elif char == ".":
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return parts


class _ValueScanner:
    """Tracks whether a value continues on the next line (open bracket or multi-line string)."""

    def __init__(self) -> None:
        self.depth = 0
        self.ml_quote = ""

    @property
    def open(self) -> bool:
        return self.depth > 0 or bool(self.ml_quote)

    def feed(self, text: str) -> None:
        i = 0
        while i < len(text):
            if self.ml_quote:
                end = text.find(self.ml_quote, i)
                if end < 0:
                    return
                i = end + 3
                self.ml_quote = ""
                continue
            char = text[i]
            if char == "#":
                return
            if text.startswith('"""', i) or text.startswith("'''", i):
                self.ml_quote = text[i:i + 3]
                i += 3
                continue
            if char in "\"'":
                i = self._skip_string(text, i)
                continue
            if char in "[{":
                self.depth += 1
            elif char in "]}":
                self.depth = max(0, self.depth - 1)
            i += 1

    @staticmethod
    def _skip_string(text: str, start: int) -> int:
        quote, i = text[start], start + 1
        while i < len(text):
            if quote == '"' and text[i] == "\\":
                i += 2
                continue
            if text[i] == quote:
                return i + 1
            i += 1
        return i


class KeyLocator:
    def __init__(self, text: str):
        self._lines: dict[Path, int] = {}
        self._scan(text)

    def line_of(self, path: Path) -> int:
        """Line of path, or of its nearest ancestor that has one; 0 when nothing matches."""
        path = tuple(path)
        while path:
            if path in self._lines:
                return self._lines[path]
            path = path[:-1]
        return 0

    def _scan(self, text: str) -> None:
        arrays: dict[Path, int] = {}  # resolved path of an array of tables -> its last index
        table: Path = ()
        value = _ValueScanner()
        for number, line in enumerate(text.splitlines(), start=1):
            if value.open:
                value.feed(line)
                continue
            header = _HEADER.match(line)
            if header and header.group(1) == header.group(3).replace("]", "[") and \
                    not line.lstrip().startswith("[]"):
                keys = split_key(header.group(2))
                path: list = []
                for key in keys[:-1]:
                    path.append(key)
                    if tuple(path) in arrays:
                        path.append(arrays[tuple(path)])
                path.append(keys[-1])
                if header.group(1) == "[[":
                    index = arrays.get(tuple(path), -1) + 1
                    arrays[tuple(path)] = index
                    path.append(index)
                table = tuple(path)
                self._lines.setdefault(table, number)
                continue
            key = _KEY.match(line)
            if key:
                full = table + tuple(split_key(key.group(1)))
                self._lines.setdefault(full, number)
                value.feed(line[key.end():])
