"""The demo campus (the default site) loads, and its objects carry what the runtime, the simulator
and the policy read from them."""

from datetime import date, datetime, time, timezone

from controller.site import default_site_path, load_site


def test_default_site_is_the_demo_campus_in_this_checkout():
    path = default_site_path()
    assert path.name == "demo-campus.toml" and path.is_file()
    site = load_site()
    assert site.path == path
    assert site.name == "Sunrise Primary School (demo)"
    assert site.timezone == "Asia/Shanghai"


def test_buses_devices_and_zones():
    site = load_site()
    gate_bus = site.bus("gate-bus")
    assert (gate_bus.port, gate_bus.baud, gate_bus.parity, gate_bus.stopbits) == \
        ("/dev/ttyUSB0", 115200, "N", 1)
    assert site.bus("building-bus").baud == 19200
    assert len(site.devices) == 38
    assert {d.kind for d in site.devices} == {"gate", "bollard", "panic", "smoke", "inputs", "door", "intrusion", "checkpoint"}
    slider = site.device("main-gate-slider")
    assert (slider.bus, slider.unit, slider.role, slider.zone) == ("gate-bus", 1, "gate",
                                                                  "main-gate")
    assert slider.evacuation_route and not slider.fire_lane
    assert dict(slider.params) == {"travel_timeout_s": 30}
    assert dict(slider.plant) == {"travel_s": 12.0}
    assert site.device("fire-lane-bollard-1").fire_lane
    assert dict(site.device("canteen-kitchen-smoke").params) == {"verify_s": 10}
    assert len(site.devices_on("gate-bus")) == 9
    assert [z.name for z in site.zones][:2] == ["main-gate", "east-gate"]


def test_third_party_devices_take_their_kind_from_the_profile():
    site = load_site()
    sensor = site.device("gym-smoke-sensor")
    assert (sensor.role, sensor.profile, sensor.kind) == (None, "generic-rs485-smoke", "smoke")
    module = site.device("sports-hall-input-module")
    assert module.kind == "inputs"
    assert [(i.channel, i.name, i.kind, i.zone) for i in module.inputs] == [
        (0, "sports-hall-panic", "panic", "teaching"), (1, "pool-panic", "panic", "teaching")]
    assert site.zone_of("pool-panic") == "teaching"


def test_policy_schedules_holidays_users():
    site = load_site()
    assert site.policy.fire_in_normal == "one_detector"
    assert site.policy.fire_during_lockdown == "two_detectors"
    assert site.policy.clear_rule == "supervisor_or_two_guards"
    assert site.policy.panic_scope == "campus"
    morning = site.schedules[0]
    assert (morning.name, morning.start, morning.end) == ("morning-arrival", time(7, 20),
                                                          time(8, 10))
    assert morning.open == ("east-pedestrian-gate",)
    assert morning.raise_ == ("pickup-bollard-1", "pickup-bollard-2")
    assert date(2026, 10, 1) in site.holidays
    assert site.user("zhang.wei").role == "supervisor"
    assert site.user("nobody") is None
    assert site.alarm.receivers == ()


def test_schedule_window_is_in_the_site_timezone_and_skips_holidays():
    site = load_site()
    morning = site.schedules[0]
    # Tuesday 2026-11-24 07:30 in Shanghai is 2026-11-23 23:30 UTC.
    local = datetime(2026, 11, 23, 23, 30, tzinfo=timezone.utc).astimezone(site.tz)
    assert morning.active_at(local, site.holidays)
    # The same wall-clock time on a holiday (Thu 2026-10-01) and on a Saturday.
    holiday = datetime(2026, 9, 30, 23, 30, tzinfo=timezone.utc).astimezone(site.tz)
    saturday = datetime(2026, 11, 27, 23, 30, tzinfo=timezone.utc).astimezone(site.tz)
    assert not morning.active_at(holiday, site.holidays)
    assert not morning.active_at(saturday, site.holidays)


SMALL = """
[site]
name = "Small"
timezone = "Europe/London"

[[buses]]
name = "line-a"
port = "socket://127.0.0.1:4001"
baud = 9600

[[gateways]]
name = "east-gw"
host = "192.168.1.30"

[[zones]]
name = "gate"

[[devices]]
name = "g1"
bus = "line-a"
unit = 1
role = "gate"
zone = "gate"

[[devices]]
name = "b1"
bus = "east-gw"
unit = 1
role = "bollard"
zone = "gate"
fire_lane = true
[devices.params]
fail_secure = 0

[local_io]
key_switch_pin = 17

[alarm]
supervision_s = 90
[[alarm.receivers]]
host = "127.0.0.1"
port = 12345
account = "1234"
key = "0123456789abcdef"
"""


def test_small_site_with_a_gateway_local_io_and_a_receiver(tmp_path):
    from controller.site import load_site_text

    site = load_site_text(SMALL, tmp_path / "small.toml")
    assert site.bus("line-a").port == "socket://127.0.0.1:4001"
    assert (site.bus("line-a").parity, site.bus("line-a").stopbits) == ("N", 1)
    assert [(g.name, g.host, g.port) for g in site.gateways] == [("east-gw", "192.168.1.30", 502)]
    assert site.device("b1").bus == "east-gw" and dict(site.device("b1").params) == {
        "fail_secure": 0}
    assert dict(site.local_io) == {"key_switch_pin": 17}
    receiver = site.alarm.receivers[0]
    assert (receiver.protocol, receiver.prefix, receiver.key) == ("tcp", "0", "0123456789abcdef")
    assert site.alarm.supervision_s == 90.0 and site.alarm.retries is None
    assert site.policy.fire_in_normal == "one_detector"  # [policy] left out: defaults
    assert site.users == () and site.schedules == ()
