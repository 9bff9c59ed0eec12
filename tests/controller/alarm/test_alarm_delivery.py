"""AlarmService against pysiaalarm as the real receiver: plain and encrypted, TCP and UDP,
dual path, wrong keys, bad clocks, supervision and an outage."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from alarm_reports import AlarmReport
from pysia_receiver import PysiaReceiver, closed_tcp_port

from controller.alarm.config import AlarmConfig, ReceiverConfig
from controller.alarm.event_mapping import map_report
from controller.alarm.service import AlarmService
from protocols import events

ZONES = ("main-gate", "east-gate", "admin", "teaching", "kindergarten", "dormitory")
KEY128 = "0123456789abcdef"
KEY256 = "0123456789abcdef0123456789abcdef"
FAST = dict(ack_timeout_s=1.0, backoff_s=0.05, outage_backoff_max_s=0.3, supervision_s=0)

# Every mapped kind, as the policy reports it: (report, Contact ID "QEEE", SIA code)
REPORTS = [
    (AlarmReport(events.PANIC_ALARM, "kindergarten", "kindergarten-panic"), "1120", "PA"),
    (AlarmReport(events.PANIC_ALARM, "kindergarten", "kindergarten-panic", restore=True),
     "3120", "PH"),
    (AlarmReport(events.FIRE_CONFIRMED, "teaching", None), "1110", "FA"),
    (AlarmReport(events.SMOKE_ALARM, "teaching", "classroom-1a-smoke"), "1111", "FA"),
    (AlarmReport(events.SMOKE_CLEAR, "teaching", "classroom-1a-smoke"), "3111", "FH"),
    (AlarmReport(events.FIRE_CLEARED, "teaching", None), "3110", "FH"),
    (AlarmReport(events.TROUBLE_FAULT, "main-gate", "main-gate-slider"), "1380", "YX"),
    (AlarmReport(events.TROUBLE_OFFLINE, "dormitory", "dormitory-panic"), "1350", "YC"),
    (AlarmReport(events.TROUBLE_OFFLINE, "dormitory", "dormitory-panic", restore=True),
     "3350", "YK"),
    (AlarmReport(events.TROUBLE_TAMPER, "admin", "office-panic"), "1137", "TA"),
    (AlarmReport(events.TROUBLE_TAMPER, "admin", "office-panic", restore=True), "3137", "TR"),
    (AlarmReport(events.LOCKDOWN_SET, None, None, user="li.na"), "3401", "CL"),
    (AlarmReport(events.LOCKDOWN_CLEAR, None, None, user="zhang.wei"), "1401", "OP"),
    (AlarmReport(events.DRILL_START, None, None, drill=True), "1601", "RX"),
    (AlarmReport(events.FIRE_CONFIRMED, "teaching", None, drill=True), "1601", "RX"),
    (AlarmReport(events.DRILL_START, None, None, drill=True, restore=True), "3601", "RX"),
]


def _zone(report: AlarmReport) -> int:
    return ZONES.index(report.zone) + 1 if report.zone else 0


class Log:
    """The log_event callback: what would go to the event store."""

    def __init__(self) -> None:
        self.records: list[tuple[str, str, dict]] = []

    def __call__(self, kind: str, message: str, data: dict) -> None:
        self.records.append((kind, message, data))

    def of(self, kind: str) -> list[tuple[str, str, dict]]:
        return [r for r in self.records if r[0] == kind]


def _service(tmp_path, receivers, log=None, **options) -> AlarmService:
    config = AlarmConfig(receivers=tuple(receivers), zones=ZONES,
                         users=("zhang.wei", "li.na"), **(FAST | options))
    return AlarmService(config, tmp_path / "alarm-outbox.sqlite", log_event=log or Log())


@pytest.mark.parametrize(
    ("protocol", "key", "fmt"),
    [("tcp", "", "ADM-CID"), ("udp", KEY128, "ADM-CID"), ("tcp", KEY256, "SIA-DCS"),
     ("udp", "", "SIA-DCS")],
)
async def test_every_mapped_event_arrives_with_code_zone_and_account(tmp_path, protocol, key, fmt):
    receiver = PysiaReceiver(protocol, {"BEEF": key or None})
    port = await receiver.start()
    service = _service(tmp_path, [ReceiverConfig("127.0.0.1", port, protocol, "BEEF", key,
                                                 receiver="1", prefix="2", format=fmt)])
    await service.start()
    try:
        ids = [await service.submit(report) for report, _, _ in REPORTS]
        await service.wait_delivered(ids[-1], 15)
        got = await receiver.wait_events(len(REPORTS))
    finally:
        await service.stop()
        await receiver.stop()
    assert len(got) == len(REPORTS)
    for event, (report, cid, sia) in zip(got, REPORTS, strict=True):
        assert event.account == "BEEF"
        assert event.encrypted == bool(key)
        assert event.code == sia, report
        assert int(event.ri) == _zone(report), report
        assert (event.receiver, event.line) == ("R1", "L2")
        if fmt == "ADM-CID":
            assert event.event_qualifier + event.event_type == cid, report
        else:
            assert event.message == f"{_zone(report):03d}"
    assert [int(e.sequence) for e in got] == ids  # in order, once each


async def test_primary_down_alarm_goes_to_backup_and_path_loss_is_a_trouble_event(tmp_path):
    down = closed_tcp_port()
    backup = PysiaReceiver("udp", {"1234": KEY128})
    port = await backup.start()
    log = Log()
    service = _service(tmp_path, [
        ReceiverConfig("127.0.0.1", down.getsockname()[1], "tcp", "1234"),
        ReceiverConfig("127.0.0.1", port, "udp", "1234", KEY128),
    ], log)
    await service.start()
    try:
        entry = await service.wait_delivered(
            await service.submit(AlarmReport(events.PANIC_ALARM, "admin", "office-panic")), 10)
        got = await backup.wait_events(1)
        status = service.status()
    finally:
        await service.stop()
        await backup.stop()
        down.close()
    assert got[0].code == "PA" and got[0].ri == "003"
    assert entry.acked_by.endswith("/udp#1234")
    lost = log.of(events.ALARM_PATH_LOST)
    assert len(lost) == 1 and "primary" in lost[0][1] and lost[0][2]["all_paths_down"] is False
    assert status["path"] == "up" and status["queued"] == 0
    assert [r["up"] for r in status["receivers"]] == [False, True]


async def test_wrong_key_is_a_clear_error_and_trouble_and_the_alarm_stays_queued(tmp_path):
    receiver = PysiaReceiver("tcp", {"1234": KEY128})
    port = await receiver.start()
    log = Log()
    wrong = ReceiverConfig("127.0.0.1", port, "tcp", "1234", "fedcba9876543210")
    service = _service(tmp_path, [wrong], log)
    await service.start()
    entry_id = await service.submit(AlarmReport(events.PANIC_ALARM, "admin", "office-panic"))
    try:
        for _ in range(100):
            if log.of(events.ALARM_PATH_LOST):
                break
            await asyncio.sleep(0.05)
        status = service.status()
    finally:
        await service.stop()
    failed = log.of(events.ALARM_FAILED)
    assert failed and "wrong AES key" in failed[0][1] and "Fix:" in failed[0][1]
    assert log.of(events.ALARM_PATH_LOST)[0][2]["all_paths_down"] is True
    assert status["path"] == "down" and status["queued"] == 1
    assert receiver.events == []
    # Not dropped: with the right key the same stored alarm goes out
    fixed = dataclasses.replace(wrong, key=KEY128)
    right = AlarmService(AlarmConfig(receivers=(fixed,), zones=ZONES, **FAST),
                         tmp_path / "alarm-outbox.sqlite")
    await right.start()
    try:
        await right.wait_delivered(entry_id, 10)
        assert (await receiver.wait_events(1))[0].code == "PA"
    finally:
        await right.stop()
        await receiver.stop()


async def test_unknown_account_nak_names_the_account(tmp_path):
    receiver = PysiaReceiver("tcp", {"9999": None})
    port = await receiver.start()
    log = Log()
    service = _service(tmp_path, [ReceiverConfig("127.0.0.1", port, "tcp", "1234")], log)
    await service.start()
    await service.submit(AlarmReport(events.PANIC_ALARM, "admin", None))
    try:
        for _ in range(100):
            if log.of(events.ALARM_FAILED):
                break
            await asyncio.sleep(0.05)
    finally:
        await service.stop()
        await receiver.stop()
    message = log.of(events.ALARM_FAILED)[0][1]
    assert "does not know account '1234'" in message and "Fix:" in message


@pytest.mark.parametrize("skew_s", [-300, 120])
async def test_bad_host_clock_nak_resend_with_corrected_time_and_report(tmp_path, skew_s):
    receiver = PysiaReceiver("udp", {"1234": KEY128})
    port = await receiver.start()
    log = Log()
    config = AlarmConfig(receivers=(ReceiverConfig("127.0.0.1", port, "udp", "1234", KEY128),),
                         zones=ZONES, **FAST)
    service = AlarmService(config, tmp_path / "o.sqlite", log_event=log,
                           clock=lambda: datetime.now(UTC) + timedelta(seconds=skew_s))
    await service.start()
    try:
        await service.wait_delivered(
            await service.submit(AlarmReport(events.SMOKE_ALARM, "teaching", "s")), 10)
        got = await receiver.wait_events(1)
        offset = service.status()["receivers"][0]["clock_offset_s"]
    finally:
        await service.stop()
        await receiver.stop()
    assert got[0].code == "FA" and got[0].valid_timestamp
    assert abs(offset + skew_s) < 3
    warning = log.of(events.ALARM_FAILED)[0][1]
    assert "rejected our timestamp" in warning and "NTP" in warning


async def test_supervision_null_messages_detect_loss_and_restore(tmp_path):
    receiver = PysiaReceiver("tcp", {"1234": KEY128})
    port = await receiver.start()
    log = Log()
    service = _service(tmp_path, [ReceiverConfig("127.0.0.1", port, "tcp", "1234", KEY128)], log,
                       supervision_s=0.15, ack_timeout_s=0.5)
    await service.start()
    try:
        await receiver.wait_nulls(2, 5)
        assert service.status()["path"] == "up"
        await receiver.stop()
        for _ in range(100):
            if log.of(events.ALARM_PATH_LOST):
                break
            await asyncio.sleep(0.05)
        assert service.status()["path"] == "down"
        await receiver.start(port=port)
        for _ in range(100):
            if log.of(events.ALARM_PATH_RESTORED):
                break
            await asyncio.sleep(0.05)
        assert service.status()["path"] == "up"
    finally:
        await service.stop()
        await receiver.stop()
    assert receiver.nulls[0].code == "RP"  # pysiaalarm reads NULL as a link test
    assert len(log.of(events.ALARM_PATH_LOST)) == 1
    assert len(log.of(events.ALARM_PATH_RESTORED)) == 1


async def test_outage_loses_nothing_and_keeps_order(tmp_path):
    sock = closed_tcp_port()
    port = sock.getsockname()[1]
    log = Log()
    service = _service(tmp_path, [ReceiverConfig("127.0.0.1", port, "tcp", "1234")], log)
    await service.start()
    receiver = PysiaReceiver("tcp", {"1234": None})
    try:
        ids = [await service.submit(AlarmReport(events.PANIC_ALARM, ZONES[i % 6], f"p{i}"))
               for i in range(20)]
        await asyncio.sleep(1.0)  # receiver down: nothing can be acked
        assert service.status()["queued"] == 20 and service.status()["path"] == "down"
        await receiver.start(sock=sock)
        await service.wait_delivered(ids[-1], 15)
        got = await receiver.wait_events(20)
    finally:
        await service.stop()
        await receiver.stop()
    assert [int(e.sequence) for e in got] == ids
    assert [int(e.ri) for e in got] == [i % 6 + 1 for i in range(20)]
    assert len(log.of(events.ALARM_PATH_LOST)) == 1
    assert len(log.of(events.ALARM_PATH_RESTORED)) == 1


async def test_a_message_every_receiver_refuses_does_not_block_later_alarms(tmp_path):
    receiver = PysiaReceiver("tcp", {"1234": None})
    port = await receiver.start()
    log = Log()
    service = _service(tmp_path, [ReceiverConfig("127.0.0.1", port, "tcp", "1234",
                                                 format="SIA-DCS")], log)
    # An alarm whose SIA code this receiver does not process (pysiaalarm answers DUH), queued
    # ahead of a panic: it must not hold the panic back.
    odd = map_report(AlarmReport(events.PANIC_ALARM, "admin", None), ZONES)
    odd_id = service.outbox.enqueue(dataclasses.replace(odd, sia_code="QQ"), "2026-01-01T00:00")
    await service.start()
    try:
        panic_id = await service.submit(AlarmReport(events.PANIC_ALARM, "teaching", "p"))
        await service.wait_delivered(panic_id, 10)
        got = await receiver.wait_events(1)
        status = service.status()
        refused = service.outbox.get(odd_id)
    finally:
        await service.stop()
        await receiver.stop()
    assert [(e.code, e.ri) for e in got] == [("PA", "4")]
    assert refused.state == "refused"
    failed = [r for r in log.of(events.ALARM_FAILED) if r[2].get("refused")]
    assert failed and "DUH" in failed[0][1]
    assert status["path"] == "up"
