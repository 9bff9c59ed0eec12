"""Policy alarm reports -> Contact ID / SIA-DCS codes (the table in docs/ALARM-CODES.md).

Pure: no I/O. The zone number is the 1-based position of the report's zone in the site file's
[[zones]] order (000 = whole campus / no zone); the user number likewise from [[users]].
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from controller.alarm.errors import AlarmMappingError
from protocols import events
from protocols.sia.contact_id import QUALIFIER_NEW, QUALIFIER_RESTORE

GROUP = 1  # Contact ID group (partition): the campus is one partition


class AlarmReportLike(Protocol):
    """What the policy engine's AlarmReport offers (controller/policy)."""

    kind: str
    zone: str | None
    device: str | None
    drill: bool
    restore: bool
    user: str | None


@dataclass(frozen=True)
class AlarmCode:
    """One row of the mapping table."""

    contact_id: int  # Contact ID event code EEE
    sia_new: str  # SIA-DCS code for the event
    sia_restore: str  # SIA-DCS code for its restore


PANIC = AlarmCode(120, "PA", "PH")  # panic alarm / panic restore
FIRE = AlarmCode(110, "FA", "FH")  # fire alarm / fire restore
SMOKE = AlarmCode(111, "FA", "FH")  # smoke detector alarm (SIA has no separate smoke code)
TROUBLE = AlarmCode(380, "YX", "YZ")  # general trouble / restored
COMMUNICATION = AlarmCode(350, "YC", "YK")  # communication failure / restored
TAMPER = AlarmCode(137, "TA", "TR")  # tamper / tamper restore
OPEN_CLOSE = AlarmCode(401, "OP", "CL")  # opening (lockdown cleared) / closing (lockdown set)
BURGLARY = AlarmCode(130, "BA", "BH")  # burglary (armed intrusion zone tripped) / restore
BYPASS = AlarmCode(570, "UB", "UU")  # zone bypassed / bypass ended
MANUAL_TEST = AlarmCode(601, "RX", "RX")  # manual test report: drills, never dispatches police

# kind -> (code, qualifier). Kinds that are restores by nature carry qualifier 3 themselves.
_TABLE: dict[str, tuple[AlarmCode, int]] = {
    events.PANIC_ALARM: (PANIC, QUALIFIER_NEW),
    events.PANIC_RESET: (PANIC, QUALIFIER_RESTORE),
    events.FIRE_CONFIRMED: (FIRE, QUALIFIER_NEW),
    events.FIRE_CLEARED: (FIRE, QUALIFIER_RESTORE),
    events.SMOKE_ALARM: (SMOKE, QUALIFIER_NEW),
    events.SMOKE_CLEAR: (SMOKE, QUALIFIER_RESTORE),
    events.TROUBLE_FAULT: (TROUBLE, QUALIFIER_NEW),
    events.TROUBLE_MONITORING: (TROUBLE, QUALIFIER_NEW),
    events.TROUBLE_RESTORE: (TROUBLE, QUALIFIER_RESTORE),
    events.TROUBLE_OFFLINE: (COMMUNICATION, QUALIFIER_NEW),
    events.TROUBLE_BUS: (COMMUNICATION, QUALIFIER_NEW),
    events.TROUBLE_TAMPER: (TAMPER, QUALIFIER_NEW),
    events.INTRUSION_ALARM: (BURGLARY, QUALIFIER_NEW),
    events.INTRUSION_BYPASS: (BYPASS, QUALIFIER_NEW),
    # Contact ID 401: "closing" (qualifier 3) = campus closed = lockdown set; "opening"
    # (qualifier 1) = lockdown cleared. The panic that caused a lockdown is its own 120 report.
    events.LOCKDOWN_SET: (OPEN_CLOSE, QUALIFIER_RESTORE),
    events.LOCKDOWN_CLEAR: (OPEN_CLOSE, QUALIFIER_NEW),
    # Drill start/end themselves: test reports, like every report with drill=True
    events.DRILL_START: (MANUAL_TEST, QUALIFIER_NEW),
    events.DRILL_END: (MANUAL_TEST, QUALIFIER_RESTORE),
}
# Kinds that already are the end of a condition: restore=True on them changes nothing
_RESTORE_KINDS = frozenset({
    events.PANIC_RESET, events.FIRE_CLEARED, events.SMOKE_CLEAR, events.TROUBLE_RESTORE,
    events.LOCKDOWN_CLEAR, events.DRILL_END,
})
_OPPOSITE = {QUALIFIER_NEW: QUALIFIER_RESTORE, QUALIFIER_RESTORE: QUALIFIER_NEW}

MAPPED_KINDS = tuple(_TABLE)


@dataclass(frozen=True)
class AlarmMessage:
    """What goes into one DC-09 event frame, for either payload format."""

    kind: str  # the report's kind (protocols/events.py)
    event: int  # Contact ID event code
    qualifier: int  # 1 new / opening, 3 restore / closing
    group: int  # Contact ID group
    zone: int  # zone number 0..999 (0 = campus-wide)
    user: int  # user number (0 = none)
    sia_code: str  # SIA-DCS two-letter code
    drill: bool  # sent as a 601 manual test report
    zone_name: str  # the report's zone, for logs
    note: str  # "" or why a field was defaulted (e.g. zone not in the site)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AlarmMessage:
        return cls(**data)


def _number(name: str | None, names: tuple[str, ...]) -> int | None:
    if not name:
        return 0
    try:
        return names.index(name) + 1
    except ValueError:
        return None


def map_report(
    report: AlarmReportLike, zones: tuple[str, ...], users: tuple[str, ...] = ()
) -> AlarmMessage:
    """The DC-09 content for a policy AlarmReport; raises AlarmMappingError for unknown kinds.

    A zone missing from the site is sent as zone 000 (never drop an alarm over a label) and the
    message's note says so."""
    try:
        code, qualifier = _TABLE[report.kind]
    except KeyError:
        raise AlarmMappingError(
            f"alarm report kind {report.kind!r} has no DC-09 code. Mapped kinds: "
            f"{', '.join(MAPPED_KINDS)}. Fix: add it to controller/alarm/event_mapping.py "
            "and docs/ALARM-CODES.md."
        ) from None
    if report.restore and report.kind not in _RESTORE_KINDS:
        # restore=True on an alarm kind (panic.alarm, lockdown.set...) means its end
        qualifier = _OPPOSITE[qualifier]
    zone = _number(report.zone, zones)
    note = ""
    if zone is None:
        note = f"zone {report.zone!r} is not in the site's zones; sent as zone 000"
        zone = 0
    user = _number(report.user, users) or 0
    if report.drill:
        # A drill is a 601 manual test report: the ARC logs it and dispatches nobody.
        code = MANUAL_TEST
    sia_code = code.sia_new if qualifier == QUALIFIER_NEW else code.sia_restore
    return AlarmMessage(
        kind=report.kind, event=code.contact_id, qualifier=qualifier, group=GROUP, zone=zone,
        user=user, sia_code=sia_code, drill=bool(report.drill), zone_name=report.zone or "",
        note=note,
    )
