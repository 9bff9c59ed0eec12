"""A small site with [operations] for the operations tests (loaded by the real site loader)."""

from controller.site.load import load_site_text

TEXT = '''
[site]
name = "Ops test school"
timezone = "Asia/Shanghai"

[[buses]]
name = "gate-bus"
port = "/dev/null"
baud = 115200
parity = "N"
stopbits = 1

[[zones]]
name = "main-gate"
description = "Main gate"

[[devices]]
name = "main-gate-barrier"
bus = "gate-bus"
unit = 1
role = "gate"
zone = "main-gate"
evacuation_route = true

[[devices]]
name = "side-gate"
bus = "gate-bus"
unit = 2
role = "gate"
zone = "main-gate"

[[devices]]
name = "station"
bus = "gate-bus"
unit = 3
role = "panic"
zone = "main-gate"

[[schedules]]
name = "arrival"
days = ["mon", "tue", "wed", "thu", "fri"]
start = "07:30"
end = "08:30"
open = ["side-gate"]

[holidays]
dates = ["2026-10-01"]

[operations]
hazard_owner = "zhang.wei"
hazard_days = 3
gate_open_alert_min = 5
duty_grace_s = 60

[[operations.terms]]
name = "autumn"
from = "2026-09-01"
to = "2027-01-20"
drills = { fire = 2, lockdown = 1, evacuation = 1 }
whole_school_months = [11]

[[operations.duty]]
name = "gatehouse-night"
start = "19:00"
end = "07:00"

[[operations.duty]]
name = "leader"
start = "08:00"
end = "17:00"
days = ["mon", "tue", "wed", "thu", "fri"]
on_holidays = false

[[operations.vacations]]
name = "winter"
from = "2027-01-21"
to = "2027-02-20"
'''


def ops_site(extra: str = ""):
    return load_site_text(TEXT + extra, "ops-site.toml")
