"""SiteError: everything wrong with a site file at once, each problem with file, line, key and fix."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SiteProblem:
    file: str  # the site file as the user named it
    line: int  # 1-based; 0 when the problem has no single line (a missing table)
    key: str  # dotted path with 0-based indexes, e.g. devices[3].unit
    what: str  # what is wrong, e.g. "devices[3].unit = 300: must be 1..247"
    fix: str  # what to do about it

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.what}. Fix: {self.fix}"


class SiteError(Exception):
    """A site file that cannot be used. `problems` lists every problem found, in file order."""

    def __init__(self, problems: list[SiteProblem] | tuple[SiteProblem, ...]):
        self.problems = tuple(sorted(problems, key=lambda p: (p.line, p.key)))
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in site file"
        super().__init__(head + ":\n" + "\n".join(f"  {p}" for p in self.problems))
