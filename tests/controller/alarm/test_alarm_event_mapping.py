"""Every alarm report kind the policy makes maps to the documented Contact ID / SIA code."""

from pathlib import Path

import pytest
from alarm_reports import AlarmReport

from controller.alarm.errors import AlarmMappingError
from controller.alarm.event_mapping import MAPPED_KINDS, map_report
from protocols import events

ZONES = ("main-gate", "east-gate", "admin", "teaching")
USERS = ("zhang.wei", "li.na")

# kind, restore flag -> (Contact ID qualifier+event, SIA code): the table in docs/ALARM-CODES.md
TABLE = [
    (events.PANIC_ALARM, False, "1120", "PA"),
    (events.PANIC_ALARM, True, "3120", "PH"),
    (events.PANIC_RESET, False, "3120", "PH"),
    (events.FIRE_CONFIRMED, False, "1110", "FA"),
    (events.FIRE_CONFIRMED, True, "3110", "FH"),
    (events.FIRE_CLEARED, False, "3110", "FH"),
    (events.SMOKE_ALARM, False, "1111", "FA"),
    (events.SMOKE_ALARM, True, "3111", "FH"),
    (events.SMOKE_CLEAR, False, "3111", "FH"),
    (events.TROUBLE_FAULT, False, "1380", "YX"),
    (events.TROUBLE_FAULT, True, "3380", "YZ"),
    (events.TROUBLE_MONITORING, False, "1380", "YX"),
    (events.TROUBLE_RESTORE, False, "3380", "YZ"),
    (events.TROUBLE_OFFLINE, False, "1350", "YC"),
    (events.TROUBLE_OFFLINE, True, "3350", "YK"),
    (events.TROUBLE_BUS, False, "1350", "YC"),
    (events.TROUBLE_TAMPER, False, "1137", "TA"),
    (events.TROUBLE_TAMPER, True, "3137", "TR"),
    (events.INTRUSION_ALARM, False, "1130", "BA"),
    (events.INTRUSION_ALARM, True, "3130", "BH"),
    (events.INTRUSION_BYPASS, False, "1570", "UB"),
    (events.INTRUSION_BYPASS, True, "3570", "UU"),
    (events.LOCKDOWN_SET, False, "3401", "CL"),
    (events.LOCKDOWN_SET, True, "1401", "OP"),
    (events.LOCKDOWN_CLEAR, False, "1401", "OP"),
    (events.DRILL_START, False, "1601", "RX"),
    (events.DRILL_START, True, "3601", "RX"),
    (events.DRILL_END, False, "3601", "RX"),
]


@pytest.mark.parametrize(("kind", "restore", "cid", "sia"), TABLE)
def test_mapping_table(kind, restore, cid, sia):
    message = map_report(AlarmReport(kind, "admin", "office-panic", restore=restore), ZONES)
    assert f"{message.qualifier}{message.event:03d}" == cid
    assert message.sia_code == sia
    assert message.zone == 3  # admin is the third zone of the site
    assert message.group == 1


def test_every_mapped_kind_is_in_the_documented_table():
    assert {row[0] for row in TABLE} == set(MAPPED_KINDS)


@pytest.mark.parametrize("kind", MAPPED_KINDS)
def test_a_drill_is_always_a_test_report_never_an_alarm(kind):
    message = map_report(AlarmReport(kind, "teaching", None, drill=True), ZONES)
    assert message.event == 601 and message.sia_code == "RX" and message.drill


def test_zone_numbers_follow_site_order_and_campus_wide_is_000():
    assert map_report(AlarmReport(events.PANIC_ALARM, "main-gate", None), ZONES).zone == 1
    assert map_report(AlarmReport(events.PANIC_ALARM, "teaching", None), ZONES).zone == 4
    assert map_report(AlarmReport(events.LOCKDOWN_SET, None, None), ZONES).zone == 0


def test_unknown_zone_is_sent_as_000_with_a_note_never_dropped():
    message = map_report(AlarmReport(events.PANIC_ALARM, "gym", "x"), ZONES)
    assert message.zone == 0 and message.event == 120
    assert "gym" in message.note


def test_user_number_follows_site_user_order():
    message = map_report(AlarmReport(events.LOCKDOWN_SET, None, None, user="li.na"), ZONES, USERS)
    assert message.user == 2


def test_unmapped_kind_raises_with_the_fix():
    with pytest.raises(AlarmMappingError, match="event_mapping.py"):
        map_report(AlarmReport(events.DEVICE_ONLINE, "admin", None), ZONES)


DOC = Path(__file__).resolve().parents[3] / "docs" / "ALARM-CODES.md"


@pytest.mark.parametrize(("kind", "restore", "cid", "sia"), TABLE)
def test_docs_table_has_each_row(kind, restore, cid, sia):
    rows = [line for line in DOC.read_text().splitlines() if line.startswith("| ")]
    cell = f"| {cid[0]} {cid[1:]} | `{sia}` |"
    assert any(f"`{kind}`" in row and cell in row for row in rows), (kind, cell)
