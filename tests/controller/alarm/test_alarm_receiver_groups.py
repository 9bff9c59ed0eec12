"""Receiver groups: every alarm to every group (police ARC, education platform), each with its
own paths, supervision and trouble; real pysiaalarm receivers, one per group."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from alarm_reports import AlarmReport
from pysia_receiver import PysiaReceiver, closed_tcp_port

from controller.alarm.config import AlarmConfig, ReceiverConfig
from controller.alarm.outbox import ACKED, PENDING, AlarmOutbox
from controller.alarm.service import AlarmService
from controller.site.errors import SiteError
from controller.site.load import default_site_path, load_site_text
from protocols import events

ZONES = ("main-gate", "east-gate", "admin", "teaching", "kindergarten", "dormitory")
KEY = "0123456789abcdef"
FAST = dict(ack_timeout_s=1.0, backoff_s=0.05, outage_backoff_max_s=0.3, retries=1)


class Log:
    def __init__(self) -> None:
        self.records: list[tuple[str, str, dict]] = []

    def __call__(self, kind: str, message: str, data: dict) -> None:
        self.records.append((kind, message, data))

    def of(self, kind: str) -> list[tuple[str, str, dict]]:
        return [r for r in self.records if r[0] == kind]


async def until(predicate, timeout_s: float = 20.0) -> None:
    async def poll() -> None:
        while not predicate():
            await asyncio.sleep(0.05)

    await asyncio.wait_for(poll(), timeout_s)


def _service(tmp_path, receivers, log, **options) -> AlarmService:
    config = AlarmConfig(receivers=tuple(receivers), zones=ZONES, **(FAST | options))
    return AlarmService(config, tmp_path / "alarm-outbox.sqlite", log_event=log)


async def test_every_alarm_reaches_both_groups(tmp_path):
    police = PysiaReceiver("tcp", {"1234": None})
    education = PysiaReceiver("udp", {"5678": KEY})
    log = Log()
    service = _service(tmp_path, [
        ReceiverConfig("127.0.0.1", await police.start(), "tcp", "1234"),
        ReceiverConfig("127.0.0.1", await education.start(), "udp", "5678", KEY,
                       group="education"),
    ], log, supervision_s=0)
    await service.start()
    try:
        ids = await service.submit_ids(AlarmReport(events.PANIC_ALARM, "kindergarten", "k-panic"))
        for entry_id in ids:
            await service.wait_delivered(entry_id, 15)
        got_police = await police.wait_events(1)
        got_education = await education.wait_events(1)
        status = service.status()
    finally:
        await service.stop()
        await police.stop()
        await education.stop()
    assert len(ids) == 2
    assert (got_police[0].code, got_police[0].ri, got_police[0].account) == ("PA", "005", "1234")
    assert (got_education[0].code, got_education[0].account) == ("PA", "5678")
    assert status["path"] == "up" and set(status["groups"]) == {"police", "education"}
    assert all(g["queued"] == 0 and g["path"] == "up" for g in status["groups"].values())
    queued = log.of(events.ALARM_QUEUED)[0]
    assert queued[2]["outbox_ids"] == {"police": ids[0], "education": ids[1]}
    acked = {r[2]["group"] for r in log.of(events.ALARM_ACKED)}
    assert acked == {"police", "education"}


async def test_a_group_down_is_its_own_trouble_the_other_delivers_the_down_one_catches_up(
        tmp_path):
    police = PysiaReceiver("tcp", {"1234": None})
    police_port = await police.start()
    edu_primary = closed_tcp_port()  # both education paths refuse connections for now
    edu_backup = closed_tcp_port()
    log = Log()
    service = _service(tmp_path, [
        ReceiverConfig("127.0.0.1", police_port, "tcp", "1234"),
        ReceiverConfig("127.0.0.1", edu_primary.getsockname()[1], "tcp", "5678",
                       group="education"),
        ReceiverConfig("127.0.0.1", edu_backup.getsockname()[1], "tcp", "5678",
                       group="education"),
    ], log, supervision_s=0.5)
    await service.start()
    education = PysiaReceiver("tcp", {"5678": None})
    try:
        for zone in ("admin", "teaching", "dormitory"):
            await service.submit(AlarmReport(events.PANIC_ALARM, zone, f"{zone}-panic"))
        got = await police.wait_events(3)
        assert [e.ri for e in got] == ["003", "004", "006"]  # police is not held up
        await until(lambda: any(r[2].get("all_paths_down") for r in
                                log.of(events.ALARM_PATH_LOST)))
        lost = [r for r in log.of(events.ALARM_PATH_LOST) if r[2].get("all_paths_down")]
        assert lost[0][2]["group"] == "education" and "education" in lost[0][1]
        assert "NO alarm path to the education receiving centre" in lost[0][1]
        assert not [r for r in log.of(events.ALARM_PATH_LOST) if r[2]["group"] == "police"]
        status = service.status()
        assert status["path"] == "down"  # a group with no working path is a trouble
        assert status["groups"]["police"] == status["groups"]["police"] | {
            "path": "up", "queued": 0}
        assert status["groups"]["education"]["path"] == "down"
        assert status["groups"]["education"]["queued"] == 3
        # the education backup comes back: the group catches up, in order, nothing lost
        await education.start(sock=edu_backup)
        got_edu = await education.wait_events(3, 20)
        assert [e.ri for e in got_edu] == ["003", "004", "006"]
        await until(lambda: service.status()["groups"]["education"]["queued"] == 0)
        await until(lambda: service.status()["path"] == "up")
        restored = [r for r in log.of(events.ALARM_PATH_RESTORED)
                    if r[2].get("group") == "education"]
        assert restored and "education group" in restored[0][1]
    finally:
        await service.stop()
        await police.stop()
        await education.stop()
        edu_primary.close()
    assert len(police.events) == 3  # once each: the education outage resent nothing to police


def test_the_outbox_keeps_delivery_state_per_group(tmp_path):
    outbox = AlarmOutbox(tmp_path / "o.sqlite")
    from controller.alarm.event_mapping import map_report

    message = map_report(AlarmReport(events.PANIC_ALARM, "admin", "p"), ZONES, ())
    police_id, edu_id = outbox.enqueue_groups(message, "2026-11-27T10:00", ("police", "education"))
    outbox.mark_acked(police_id, "r", "2026-11-27T10:00:01")
    outbox.close()
    again = AlarmOutbox(tmp_path / "o.sqlite")
    states = {e.group: e.state for e in again.entries()}
    assert states == {"police": ACKED, "education": PENDING}
    assert again.head("police") is None and again.head("education").id == edu_id
    assert again.pending_count("education") == 1 and again.pending_count("police") == 0
    again.close()


def test_an_outbox_from_before_groups_opens_and_its_alarms_are_police(tmp_path):
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE alarm_outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, queued_at TEXT NOT NULL,"
        " message TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL"
        " DEFAULT 0, last_error TEXT NOT NULL DEFAULT '', acked_at TEXT, acked_by TEXT);")
    from controller.alarm.event_mapping import map_report

    message = map_report(AlarmReport(events.PANIC_ALARM, "admin", "p"), ZONES, ())
    import json

    db.execute("INSERT INTO alarm_outbox (queued_at, message) VALUES (?, ?)",
               ("2026-11-27T10:00", json.dumps(message.to_json())))
    db.commit()
    db.close()
    outbox = AlarmOutbox(path)
    assert outbox.head("police").message == message
    outbox.close()


GROUPS = """
[[alarm.receivers]]
host = "10.0.0.5"
port = 12345
account = "1234"

[[alarm.receivers]]
host = "10.0.0.7"
port = 12347
account = "77AA"
group = "education"

[[alarm.receivers]]
host = "10.0.0.6"
port = 12346
protocol = "udp"
account = "1234"
"""


def test_site_file_groups_default_police_and_order():
    site = load_site_text(default_site_path().read_text() + GROUPS, "demo.toml")
    config = AlarmConfig.from_site(site)
    assert {g: [r.host for r in rs] for g, rs in config.groups.items()} == {
        "police": ["10.0.0.5", "10.0.0.6"], "education": ["10.0.0.7"]}


def test_a_bad_group_name_is_a_file_line_error_with_the_fix():
    text = default_site_path().read_text() + GROUPS.replace('"education"', '"Education Bureau"')
    with pytest.raises(SiteError) as error:
        load_site_text(text, "demo.toml")
    line = text.splitlines().index('group = "Education Bureau"') + 1
    assert f"demo.toml:{line}" in str(error.value)
    assert "education" in str(error.value)
