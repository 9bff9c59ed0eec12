"""Add a known set of operators to a state dir (the demo, the HIL rig and integration fixtures):
the same store and rules as `campusguard user add`, skipping operators already there."""

from __future__ import annotations

import pathlib
from collections.abc import Iterable

from controller.identity.store import OperatorStore


def ensure_operators(state_dir: pathlib.Path,
                     operators: Iterable[tuple[str, str, str, str]]) -> OperatorStore:
    """operators: (name, role, password, pin). Returns the store."""
    store = OperatorStore(state_dir)
    for name, role, password, pin in operators:
        if store.get(name) is None:
            store.add(name, role, password, pin)
    return store
