"""Actions: the ONE place the control socket, the console, the district and the guard-room
inputs act on the campus. Each door authenticates its caller into an Actor (controller/identity)
and calls Actions.perform; the pure policy decides; the reply is returned only once the action's
events are durable (host.flush()).

A lockdown is never refused here: an unidentified actor, an unknown zone or an empty reason
still lock down (the policy locks the whole campus for an unknown zone and logs the anomaly).
If the store cannot make the events durable, the action still stands (a lockdown stays in force
in memory and on the devices) but the reply says ok=False, in force but NOT written to disk, and
what to fix."""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from controller.identity.model import Actor
from controller.policy.decision import Decision
from controller.policy.inputs import (
    AlarmAcknowledged,
    DrillEnd,
    DrillStart,
    GuardClear,
    GuardFireConfirm,
    GuardLockdown,
    KeySwitchOff,
    KeySwitchOn,
    PanicPressed,
    PanicReset,
)
from controller.store.errors import StoreUnavailable
from protocols import events as E

if TYPE_CHECKING:
    from controller.service.host import Host

VERBS = ("lockdown", "clear", "ack", "reset", "drill", "fire-confirm", "key-switch",
         "panic-button")
# Verbs that make the campus safer: honoured from anyone, identified or not.
SAFER = ("lockdown", "key-switch", "panic-button")
FLUSH_TIMEOUT_S = 10.0  # a store that has not answered by then is treated as not durable
# What a store failure can look like until controller/store raises StoreUnavailable for all.
_STORE_FAILURES = (StoreUnavailable, OSError, sqlite3.Error, asyncio.TimeoutError)


@dataclass(frozen=True)
class ActionResult:
    ok: bool  # the action was taken AND is durable
    result: str  # "done" | "pending" | "cleared" | "refused"
    message: str  # human text (English); the console renders kinds itself
    mode: str  # campus mode after the action
    log: list[dict] = field(default_factory=list)  # [{"kind", "message"}]
    commands: list[str] = field(default_factory=list)  # device command actions sent

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "result": self.result, "message": self.message, "mode": self.mode,
                "log": self.log, "commands": self.commands}


class Actions:
    def __init__(self, host: Host) -> None:
        self.host = host
        self._inputs: set[asyncio.Task] = set()  # guard-room contacts being acted on

    def local_input(self, event: object) -> asyncio.Task:
        """A guard-room contact (gpiozero, on the loop): the key switch or the host's panic
        button, acted on through perform like every other door."""
        if isinstance(event, (KeySwitchOn, KeySwitchOff)):
            on = isinstance(event, KeySwitchOn)
            action = self.perform("key-switch", Actor(None, None, "key_switch",
                                                      "guard-room key switch", ""),
                                  kind="on" if on else "off")
        elif isinstance(event, PanicPressed):
            action = self.perform("panic-button", Actor(None, None, "host_button",
                                                        f"guard-room button {event.device}", ""),
                                  device=event.device, zone=event.zone)
        else:
            raise TypeError(f"no guard-room input {type(event).__name__}")
        task = asyncio.ensure_future(action)
        self._inputs.add(task)
        task.add_done_callback(self._inputs.discard)
        return task

    async def perform(self, verb: str, actor: Actor, *, zone: str | None = None,
                      reason: str = "", device: str | None = None,
                      kind: str | None = None) -> ActionResult:
        from controller.service.host import trigger_now

        host = self.host
        if verb not in VERBS:
            return self._refused(f"unknown action {verb!r}. Fix: use one of {', '.join(VERBS)}")
        if verb not in SAFER:
            why = self._precheck(verb, actor, zone, kind)
            if why is not None:
                host.log(E.OPERATOR_ACTION, f"{actor.describe()} asked to {verb} from "
                         f"{actor.origin}: refused: {why}", zone=zone, device=device,
                         user=actor.name, role=actor.role, reason=reason or None,
                         data={"action": verb, "method": actor.method, "origin": actor.origin,
                               "refused": True})
                return await self._durable(self._refused(why))
        event = self._event(verb, actor, zone, reason, device, kind)
        decision = host.decide(event, trigger_now(f"guard.{verb}"))
        if decision is None:  # the policy crashed; for a lockdown, fall back to the key path
            if verb == "lockdown":
                decision = host.decide(KeySwitchOn(), trigger_now("lockdown.fallback"))
            if decision is None:
                return await self._durable(self._refused(
                    "the policy could not decide. Fix: see `campusguard events --kind policy`"))
        return await self._durable(self._result(decision))

    # ------------------------------------------------------------ building the policy event
    def _precheck(self, verb: str, actor: Actor, zone: str | None,
                  kind: str | None) -> str | None:
        """Refusals that need no policy state: an unidentified caller, an unknown zone."""
        if not actor.authenticated:
            return (f"{verb} needs an identified operator. Fix: act from an OS account mapped to "
                    f"an operator (`campusguard user add NAME --os-user ACCOUNT`), or give "
                    f"--user NAME --pin-stdin")
        zones = self.host.site.zone_names()
        if zone is not None and zone not in zones:
            return f"no zone {zone!r} in {self.host.site.path}. Fix: use one of {', '.join(zones)}"
        if verb == "drill" and kind not in ("fire", "lockdown", "end"):
            return "drill kind must be fire, lockdown or end"
        return None

    @staticmethod
    def _event(verb: str, actor: Actor, zone: str | None, reason: str, device: str | None,
               kind: str | None) -> Any:
        who = {"method": actor.method, "origin": actor.origin, "proof": actor.proof}
        if verb == "lockdown":
            return GuardLockdown(actor.name, actor.role, zone, reason, **who)
        if verb == "key-switch":
            return KeySwitchOff() if kind == "off" else KeySwitchOn()
        if verb == "panic-button":
            return PanicPressed(device or "guard-room-button", zone or "")
        name, role = actor.name or "", actor.role or ""
        if verb == "clear":
            return GuardClear(name, role, zone, reason, **who)
        if verb == "ack":
            return AlarmAcknowledged(name, role, device, reason, **who)
        if verb == "reset":
            return PanicReset(str(device), by="host", user=name, role=role, **who)
        if verb == "fire-confirm":
            return GuardFireConfirm(name, role, reason, **who)
        if kind == "end":
            return DrillEnd(name, role, reason, **who)
        return DrillStart(str(kind), name, role, reason, **who)

    # ------------------------------------------------------------ replies
    def _result(self, decision: Decision) -> ActionResult:
        kinds = [e.kind for e in decision.log]
        refused = [e for e in decision.log
                   if e.data.get("refused") or e.kind == E.LOCKDOWN_CLEAR_REFUSED]
        if refused:
            result, message = "refused", refused[-1].message
        elif E.LOCKDOWN_CLEAR in kinds or E.FIRE_CLEARED in kinds:
            result = "cleared"
            message = next(e.message for e in decision.log
                           if e.kind in (E.LOCKDOWN_CLEAR, E.FIRE_CLEARED))
        elif E.LOCKDOWN_CLEAR_PENDING in kinds:
            result = "pending"
            message = next(e.message for e in decision.log if e.kind == E.LOCKDOWN_CLEAR_PENDING)
        else:
            result = "done"
            message = decision.log[-1].message if decision.log else "done"
        return ActionResult(ok=not refused, result=result, message=message,
                            mode=self.host.state.mode,
                            log=[{"kind": e.kind, "message": e.message} for e in decision.log],
                            commands=[c.action for c in decision.commands])

    def _refused(self, why: str) -> ActionResult:
        return ActionResult(ok=False, result="refused", message=why, mode=self.host.state.mode)

    async def _durable(self, result: ActionResult) -> ActionResult:
        """result once its events are on disk; if they cannot be, the action still stands and
        the reply says so (ok=False) with the fix."""
        try:
            await asyncio.wait_for(self.host.flush(), FLUSH_TIMEOUT_S)
        except _STORE_FAILURES as exc:
            detail = str(exc) or f"no answer from the event store within {FLUSH_TIMEOUT_S:g} s"
            taken = "is in force" if result.result != "refused" else "was refused"
            message = (f"{result.message} -- this {taken} but is NOT written to disk "
                       f"({detail}). Fix: free space or repair the disk holding "
                       f"{self.host.paths.events_db}; the host keeps running and retrying")
            return ActionResult(ok=False, result=result.result, message=message,
                                mode=result.mode, log=result.log, commands=result.commands)
        return result
