"""End to end above the wire: the policy engine's real decisions on the demo site, through
AlarmService configured from the site file, to pysiaalarm. A drill reaches the ARC only as 601."""

from datetime import UTC, datetime

from pysia_receiver import PysiaReceiver
from test_alarm_event_mapping import TABLE

from controller.alarm.config import AlarmConfig
from controller.alarm.service import AlarmService
from controller.policy import (
    DeviceRestore,
    DeviceTrouble,
    DrillStart,
    GuardClear,
    PanicPressed,
    PolicyState,
    SmokeAlarm,
    step,
)
from controller.site.load import default_site_path, load_site_text

EXPECTED = {(kind, restore): cid for kind, restore, cid, _ in TABLE}


async def test_policy_reports_reach_the_receiver_with_site_zone_numbers(tmp_path):
    receiver = PysiaReceiver("tcp", {"5678": "0123456789abcdef"})
    port = await receiver.start()
    site = load_site_text(
        default_site_path().read_text()
        + f'\n[[alarm.receivers]]\nhost = "127.0.0.1"\nport = {port}\nprotocol = "tcp"\n'
        'account = "5678"\nkey = "0123456789abcdef"\n',
        "demo-with-receiver.toml",
    )
    config = AlarmConfig.from_site(site)
    service = AlarmService(config, tmp_path / "alarm-outbox.sqlite")
    state, now, reports = PolicyState(), datetime.now(UTC), []
    for event in [
        SmokeAlarm("classroom-1a-smoke", "teaching"),
        DeviceTrouble("dormitory-panic", "offline"),
        DeviceRestore("dormitory-panic", "offline"),
        DeviceTrouble("office-panic", "tamper"),
        GuardClear("zhang.wei", "supervisor", None, "all clear"),
        DrillStart("lockdown", "zhang.wei", "supervisor", "term drill"),
        PanicPressed("library-panic", "library"),
    ]:
        decision = step(site, state, event, now)
        state = decision.state
        reports.extend(decision.alarms)
    await service.start()
    try:
        ids = [await service.submit(report) for report in reports]
        await service.wait_delivered(ids[-1], 15)
        got = await receiver.wait_events(len(reports))
    finally:
        await service.stop()
        await receiver.stop()
    zones = [zone.name for zone in site.zones]
    assert len(got) == len(reports) > 5
    for event, report in zip(got, reports, strict=True):
        cid = "1601" if report.drill and not report.restore else (
            "3601" if report.drill else EXPECTED[(report.kind, report.restore)])
        assert event.event_qualifier + event.event_type == cid, report
        assert int(event.ri) == (zones.index(report.zone) + 1 if report.zone else 0), report
        assert event.account == "5678"
    panic = [e for e, r in zip(got, reports, strict=True) if r.kind == "panic.alarm"]
    assert [(e.code, e.ri) for e in panic] == [("PA", "007")]  # library: the 7th zone
