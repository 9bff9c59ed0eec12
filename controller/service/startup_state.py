"""What the host opens at start: events.db and the saved policy state, damaged or not.

A damaged events.db (pages that fail PRAGMA quick_check, or not a database at all) is moved aside
as events.db.damaged-<UTC time> (with its -wal/-shm) and a fresh store is created; the policy
state is salvaged from the damaged file when that part still reads. Saved policy state that does
not parse is written to policy-state.damaged-<time>.json and the host starts from normal: the
devices' own modes and latched stations then restore what was in force (service/reconcile.py).
Every such finding is a problem the host logs, raises as trouble and prints with its fix; none
stops the host from supervising the campus.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from controller.policy.state import PolicyState, PolicyStateError
from controller.service.paths import StatePaths
from controller.store.errors import StoreDamaged
from controller.store.event_store import EventStore, EventStoreError


@dataclass
class StartupState:
    store: EventStore
    state: PolicyState
    problems: list[str] = field(default_factory=list)  # each: what was found, what was done, fix
    presses: dict[str, str] = field(default_factory=dict)  # station -> press already logged


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def move_aside(path: Path) -> Path:
    target = path.with_name(f"{path.name}.damaged-{_stamp()}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.damaged-{_stamp()}-{n}")
    path.rename(target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(target.with_name(target.name + suffix))
    return target


def _salvage_state(damaged: Path) -> str | None:
    """The saved policy state from a damaged file, when its page still reads."""
    try:
        db = sqlite3.connect(f"file:{damaged}?mode=ro", uri=True)
        try:
            row = db.execute("SELECT json FROM policy_state WHERE id = 1").fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return None
    return None if row is None else str(row[0])


def open_startup_state(paths: StatePaths) -> StartupState:
    """Raises EventStoreError only when not even a fresh store can be created (the message
    says why and the fix)."""
    problems: list[str] = []
    path = paths.events_db
    saved: str | None = None
    store: EventStore | None = None
    try:
        store = EventStore(path)
        store.check()
        saved = store.load_policy_state()
        presses = store.station_presses()
    except (StoreDamaged, sqlite3.DatabaseError) as exc:
        if store is not None:
            store.close()
        try:
            moved = move_aside(path)
        except OSError as move_error:
            raise EventStoreError(
                f"{path} is damaged ({exc}) and cannot be moved aside ({move_error}). Fix: make "
                f"{path.parent} writable by the host's user, or move {path.name} away by hand; the "
                f"host then starts on a fresh store") from move_error
        saved = _salvage_state(moved)
        store = EventStore(path)
        presses = {}
        kept = ("the saved policy state in it still read and is used" if saved else
                "the saved policy state in it was lost: the devices' modes and latched stations "
                "restore what was in force")
        problems.append(
            f"events.db was damaged ({exc}): moved aside to {moved.name}; a fresh events.db was "
            f"created and {kept}. Fix: keep {moved.name} for the record (`campusguard events "
            f"--file {moved}` shows what is readable in it); check the disk (dmesg, SMART)")
    state = PolicyState()
    if saved:
        try:
            state = PolicyState.from_json(saved)
            if problems:  # salvaged from the damaged file: into the fresh store at once
                store.save_policy_state(saved)
        except PolicyStateError as exc:
            aside = paths.root / f"policy-state.damaged-{_stamp()}.json"
            aside.touch(mode=0o640)
            aside.write_text(saved)
            store.save_policy_state(state.to_json())
            problems.append(
                f"the saved policy state could not be read ({exc}): written to {aside.name}; the "
                f"host starts from normal and restores what the devices report (lockdown/fire "
                f"modes, latched panic stations). Fix: check the campus by hand and read "
                f"{aside.name} for what was in force")
    return StartupState(store, state, problems, presses)
