"""protocols/ runs unchanged on MicroPython and stays pure: no typing/dataclasses/enum at run time
(STYLE rule 2), no I/O and no clocks (DESIGN: protocols holds no I/O, no clocks)."""

import ast
from pathlib import Path

import pytest

PROTOCOLS = Path(__file__).resolve().parents[2] / "protocols"
SOURCES = sorted(PROTOCOLS.rglob("*.py"))
IDS = [str(p.relative_to(PROTOCOLS)) for p in SOURCES]

NOT_ON_MICROPYTHON = {"typing", "dataclasses", "enum", "abc", "functools", "pathlib", "datetime"}
IO_AND_CLOCKS = {
    "time",
    "utime",
    "os",
    "uos",
    "io",
    "socket",
    "usocket",
    "select",
    "selectors",
    "asyncio",
    "uasyncio",
    "machine",
    "serial",
    "sqlite3",
    "threading",
    "_thread",
    "subprocess",
    "logging",
    "random",
    "urandom",
    "signal",
}
IO_CALLS = {"open", "input", "print"}


def _guarded(node, parents):
    """True inside `if TYPE_CHECKING:` or a try whose handler catches ImportError."""
    for parent in parents:
        if isinstance(parent, ast.If) and "TYPE_CHECKING" in ast.unparse(parent.test):
            return True
        if isinstance(parent, ast.Try) and any(
            h.type is not None and "ImportError" in ast.unparse(h.type) for h in parent.handlers
        ):
            return True
    return False


def _walk(node, parents=()):
    yield node, parents
    for child in ast.iter_child_nodes(node):
        yield from _walk(child, parents + (node,))


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_imports_and_calls_are_allowed_on_both_runtimes(source):
    tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
    problems = []
    for node, parents in _walk(tree):
        modules = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        for module in modules:
            top = module.split(".")[0]
            if top in NOT_ON_MICROPYTHON and not _guarded(node, parents):
                problems.append("line %d imports %s at run time" % (node.lineno, module))
            if top in IO_AND_CLOCKS:
                problems.append(
                    "line %d imports %s: no I/O or clocks in protocols/" % (node.lineno, module)
                )
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in IO_CALLS
        ):
            problems.append(
                "line %d calls %s(): no I/O in protocols/" % (node.lineno, node.func.id)
            )
    assert not problems, "%s: %s" % (source.relative_to(PROTOCOLS), "; ".join(problems))
