"""The pieces behind `status` and `events --since` that need no campus: site-local times in and
out, and a status rendered with who/why/when and a countdown whatever the time format."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from controller.event_times import BadSince, parse_since
from controller.status_render import render_status

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)  # 20:00 at the school


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11-27T20:49", datetime(2026, 11, 27, 12, 49, tzinfo=timezone.utc)),  # site time
    ("2026-11-27T20:49Z", datetime(2026, 11, 27, 20, 49, tzinfo=timezone.utc)),
    ("2026-11-27T20:49+01:00", datetime(2026, 11, 27, 19, 49, tzinfo=timezone.utc)),
    ("12:49", datetime(2026, 11, 27, 4, 49, tzinfo=timezone.utc)),  # today 12:49 at the school
    ("21:30", datetime(2026, 11, 26, 13, 30, tzinfo=timezone.utc)),  # still ahead: yesterday's
    ("1h", NOW - timedelta(hours=1)),
    ("30m", NOW - timedelta(minutes=30)),
    ("yesterday", datetime(2026, 11, 25, 16, 0, tzinfo=timezone.utc)),  # 26th 00:00 +08:00
    ("today", datetime(2026, 11, 26, 16, 0, tzinfo=timezone.utc)),
])
def test_since_forms_a_guard_types(text, expected):
    assert parse_since(text, SHANGHAI, NOW) == expected


@pytest.mark.parametrize("text", ["teatime", "25:00", "1w", ""])
def test_since_forms_we_do_not_read_say_which_we_do(text):
    with pytest.raises(BadSince, match="HH:MM"):
        parse_since(text, SHANGHAI, NOW)


def test_status_shows_who_why_when_and_the_countdown_in_site_time():
    status = {
        "site": "s", "mode": "lockdown", "zones": {"gate": "lockdown"},
        "timezone": "Asia/Shanghai",
        "lockdowns": [{"zone": "gate", "by": "li.na", "method": "pin", "reason": "stranger",
                       "at": NOW.timestamp()}],
        "pending_clear": {"zone": "gate", "by": "li.na", "at": NOW.isoformat(),
                          "expires_at": (NOW + timedelta(seconds=120)).isoformat()},
        "buses": {},
        "devices": [{"name": "gate-1", "role": "gate", "online": False, "state": "unknown",
                     "commanded": "", "faults": [], "maintenance": None}],
    }
    text = "\n".join(render_status(status, now=NOW + timedelta(seconds=30)))
    assert "lockdown of zone gate: by li.na (pin) at 2026-11-27 20:00:00 +0800" in text
    assert "reason: stranger" in text
    assert "needs a second person within 90 s" in text
    assert "OFFLINE unknown" in text
