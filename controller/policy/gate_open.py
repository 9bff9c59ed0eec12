"""A guard opens a gate by hand (closed-campus management, 外来人员和车辆登记).

Inside one of the gate's schedule windows (arrival, dismissal) it simply opens. Outside them the
guard must say why: the gate-log registration of the visitor or vehicle (its number), or a reason.
Never while a lockdown, a fire or a drill is in force: those decide what the gates do.
"""

from __future__ import annotations

from controller.policy.authority import refusal
from controller.policy.decision import Command
from controller.policy.effects import Effects
from controller.policy.inputs import GuardGateOpen
from controller.policy.schedule import blocked_by
from controller.policy.state import PolicyState
from protocols import events as ev


def _in_window(fx: Effects, gate: str) -> str | None:
    local = fx.now.astimezone(fx.site.tz)
    for sched in fx.site.schedules:
        if gate in sched.open and sched.active_at(local, fx.site.holidays):
            return sched.name
    return None


def on_gate_open(state: PolicyState, event: GuardGateOpen, fx: Effects) -> PolicyState:
    why = event.reason or (f"gate-log visit #{event.visit}" if event.visit else "")
    fx.note(ev.OPERATOR_ACTION, f"{event.user} ({event.role}) asked to open {event.device}"
            f"{': ' + why if why else ''}.", device=event.device, user=event.user,
            role=event.role, reason=event.reason, action="gate_open", visit=event.visit)
    gates = [d.name for d in fx.site.devices if d.role == "gate"]
    refused = refusal(event.user, event.role, "open a gate", event.method)
    if refused is None and event.device not in gates:
        refused = f"{event.device!r} is not a gate of this site (gates: {', '.join(gates)})"
    if refused is None and blocked_by(state):
        refused = f"{blocked_by(state)}: the gates follow it until it is cleared or ended"
    window = _in_window(fx, event.device) if refused is None else None
    if refused is None and window is None and not why:
        refused = (f"{event.device} is outside its schedule windows: register the visitor or "
                   f"vehicle (`campusguard visitor in ...`) and pass its number (--visit N), or "
                   f"give the reason (--reason TEXT)")
    if refused is not None:
        fx.note(ev.POLICY_DECISION, f"Gate open refused: {refused}.", device=event.device,
                rule="gate_open", refused=True)
        return state
    because = f"schedule window {window}" if window else why
    fx.station_commands.append(Command((event.device,), "open", f"opened by {event.user}: "
                                       f"{because}", False))
    fx.note(ev.POLICY_DECISION, f"{event.device} opened by {event.user} ({because}). Close it "
            f"when the visitor has passed: a gate left open outside its windows is an alert.",
            device=event.device, rule="gate_open", visit=event.visit)
    return state
