"""The small campus with an [operations] section, for the console's operations pages: a duty
post staffed round the clock (open whenever the test runs), one that is closed now (it opens in
two hours, site-local), a term around today, the gate log's retention, and a smoke self-test
window on a day the tests do not run in."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from controller.site.model import WEEKDAYS
from tests.controller.console.console_host import SMALL_SITE

TZ = ZoneInfo("Asia/Shanghai")  # the small campus's timezone
RETENTION_DAYS = 45
HAZARD_OWNER = "zhang.wei"


def ops_campus(directory: Path) -> Path:
    """Write the site file into directory; its path."""
    now = datetime.now(TZ)
    later, after = now + timedelta(hours=2), now + timedelta(hours=3)
    term_from, term_to = (now - timedelta(days=30)).date(), (now + timedelta(days=60)).date()
    # the host's smoke self-test window: on the day after tomorrow, never while the tests run
    window_day = WEEKDAYS[(now + timedelta(days=2)).weekday()]
    text = SMALL_SITE.read_text(encoding="utf-8") + f'''
[operations]
hazard_owner = "{HAZARD_OWNER}"
hazard_days = 5
gate_log_retention_days = {RETENTION_DAYS}
duty_grace_s = 3600
selftest_days = 30

[operations.smoke_selftest]
days = ["{window_day}"]
start = "09:00"
end = "11:00"

[[operations.terms]]
name = "test-term"
from = "{term_from}"
to = "{term_to}"
drills = {{ fire = 2, lockdown = 1, evacuation = 1 }}

[[operations.duty]]
name = "gatehouse"
start = "00:00"
end = "00:00"

[[operations.duty]]
name = "later"
start = "{later:%H:%M}"
end = "{after:%H:%M}"
'''
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "ops-campus.toml"
    path.write_text(text, encoding="utf-8")
    return path
