"""One press, one alarm (issue 11 item 6), each crash point between the event log and the alarm
outbox replayed on a real Host, real events.db and real SIA outbox: a station still latched at
restart is logged only if its press (press_count@alarm_uptime) is not in the log, and reported
only if it is not in the outbox."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from controller.devices.model import Change, DeviceView
from controller.service.host import Host
from controller.service.paths import StatePaths
from controller.service.ports import BusPort
from controller.site import load_site
from protocols import events as E

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "alarm"))
from pysia_receiver import closed_tcp_port  # noqa: E402

SMALL_SITE = HERE.parents[1] / "integration" / "small-campus.toml"
STATION = "kindergarten-panic"


def station(state: str, presses: int | None, latched_at: int = 120) -> DeviceView:
    return DeviceView(STATION, "panic", "building-bus", 1, "kindergarten", online=True,
                      state=state, press_count=presses,
                      detail={"alarm_uptime_s": latched_at, "mode": "normal"})


def first_sight(view: DeviceView) -> tuple[Change, ...]:
    changes = [Change(E.DEVICE_STATE, STATION, "kindergarten", "unknown -> " + view.state, {})]
    if view.state == "alarm":
        changes.append(Change(E.PANIC_ALARM, STATION, "kindergarten", "panic pressed",
                              {"press_count": view.press_count}))
    return tuple(changes)


class Campus:
    def __init__(self, tmp_path: Path) -> None:
        self.down = closed_tcp_port()  # the receiver is away: reports wait in the outbox
        site_file = tmp_path / "site.toml"
        site_file.write_text(SMALL_SITE.read_text() + f"""
[alarm]
[[alarm.receivers]]
host = "127.0.0.1"
port = {self.down.getsockname()[1]}
protocol = "tcp"
account = "1234"
""")
        self.site = load_site(site_file)
        self.ports = {b.name: BusPort(b.name, str(tmp_path / "unplugged"), b.baud, b.parity,
                                      b.stopbits) for b in self.site.buses}
        self.paths = StatePaths(tmp_path / "state")

    async def run(self, *sightings: tuple[DeviceView, tuple[Change, ...]]) -> None:
        host = Host(self.site, self.paths, self.ports)
        await host.start()
        try:
            for view, changes in sightings:
                host._on_changes(view, changes)  # what a poll of the station hands the host
            await host.flush()
        finally:
            await host.stop()

    def logged(self) -> list[tuple[str, str | None]]:
        db = sqlite3.connect(self.paths.events_db)
        rows = db.execute("SELECT kind, json_extract(data, '$.press_key') FROM events WHERE "
                          "kind = ? AND device = ?", (E.PANIC_ALARM, STATION)).fetchall()
        db.close()
        return rows

    def reported(self) -> list[str]:
        db = sqlite3.connect(self.paths.alarm_outbox)
        rows = db.execute("SELECT source_key FROM alarm_outbox WHERE source_key IS NOT NULL"
                          ).fetchall()
        db.close()
        return [r[0] for r in rows]

    def forget(self, sql_events: str | None = None, sql_outbox: str | None = None) -> None:
        """Replay a crash point: what a kill -9 at that moment would not have written."""
        for path, sql in ((self.paths.events_db, sql_events), (self.paths.alarm_outbox, sql_outbox)):
            if sql:
                db = sqlite3.connect(path)
                db.execute(sql)
                db.commit()
                db.close()


async def test_a_press_is_logged_and_reported_once_whatever_was_written_before_the_crash(tmp_path):
    campus = Campus(tmp_path)
    try:
        idle, pressed = station("idle", 2), station("alarm", 3)
        press = (pressed, (Change(E.PANIC_ALARM, STATION, "kindergarten", "panic pressed",
                                  {"press_count": 3}),))
        await campus.run((idle, first_sight(idle)), press)
        assert campus.logged() == [(E.PANIC_ALARM, "3@120")]
        assert campus.reported() == [f"panic:{STATION}:3@120"]

        # crash after both were written: the restarted host sees the station still latched
        await campus.run((pressed, first_sight(pressed)))
        assert len(campus.logged()) == 1 and len(campus.reported()) == 1

        # crash after the outbox row, before the event: logged now, not reported again
        campus.forget(sql_events="DELETE FROM events WHERE kind = 'panic.alarm'")
        campus.forget(sql_events="DELETE FROM station_presses")
        await campus.run((pressed, first_sight(pressed)))
        assert campus.logged() == [(E.PANIC_ALARM, "3@120")]
        assert len(campus.reported()) == 1

        # crash after the event, before the outbox row: reported now, not logged again
        campus.forget(sql_outbox="DELETE FROM alarm_outbox")
        acked = station("acknowledged", 3)  # the station had been told "received" already
        await campus.run((acked, first_sight(acked)))
        assert len(campus.logged()) == 1
        assert campus.reported() == [f"panic:{STATION}:3@120"]

        # the station rebooted and was pressed again: same count, another latch time: a new alarm
        again = station("alarm", 3, latched_at=7)
        await campus.run((again, first_sight(again)))
        assert [key for _, key in campus.logged()] == ["3@120", "3@7"]
        assert len(campus.reported()) == 2
    finally:
        campus.down.close()
