"""The console's operations pages in real headless Chromium (Debian's chromium, driven by
playwright) against the host on the simulated small campus with an [operations] section: a guard
signs on duty, registers a vehicle and opens the gate for it (the simulated barrier moves), adds a
hazard that a supervisor closes, a smoke detector's self-test passes on the simulated detector,
the term report is generated and opened, and a panic press on an operations tab still shows
and sounds; in Chinese and English.

One campus and one host for the module, tests in order. Screenshots go to
$CAMPUSGUARD_SCREENSHOTS (e.g. docs/console) when set, else to the test's temp dir."""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

pytest.importorskip("controller.identity", reason="the console acts through operator identity")
playwright_api = pytest.importorskip("playwright.sync_api")

from controller.operations.duty import DutyRoster  # noqa: E402
from controller.operations.gate_log import GateLog  # noqa: E402
from controller.operations.hazards import HazardRegister  # noqa: E402
from controller.operations.ledger import Ledger  # noqa: E402
from tests.controller.console.browser_kit import CHROMIUM, console_campus, console_url  # noqa: E402
from tests.controller.console.console_host import OPERATORS  # noqa: E402
from tests.controller.console.ops_campus import RETENTION_DAYS, ops_campus  # noqa: E402
from tests.integration.running_campus import wait_until  # noqa: E402

PANIC = "kindergarten-panic"
GATE = "main-gate-barrier"
PLATE = "沪A·D12345"
HOSTILE = '<img src=x onerror="document.body.dataset.pwned=1">'
expect = playwright_api.expect
expect.set_options(timeout=15_000)  # a loaded 2-core machine

pytestmark = [
    pytest.mark.xdist_group(name="console-ops-browser"),  # one campus, tests in order
    pytest.mark.slow,
    pytest.mark.timeout(240),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no /usr/bin/chromium: run make tools"),
]


@pytest.fixture(scope="module")
def campus(tmp_path_factory):
    yield from console_campus(tmp_path_factory, "console-ops-campus", ops_campus)


def signed_in(browser, campus, name: str, lang: str | None = None, tab: str | None = None):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    page.goto(console_url(campus) + (f"/?lang={lang}" if lang else "/"))
    page.fill("#signin-user", name)
    page.fill("#signin-password", OPERATORS[name][1])
    page.press("#signin-password", "Enter")
    expect(page.locator("#main-view")).to_be_visible()
    expect(page.locator("body")).to_have_attribute("data-connection", "live")
    if tab:
        page.locator(f'#tabs .tab[data-tab="{tab}"]').click()
        expect(page.locator(f"#pane-{tab}")).to_be_visible()
    return page


def ledger(campus) -> Ledger:
    return Ledger(campus.state_dir)


def test_a_guard_signs_on_duty_in_chinese(browser, campus, shots):
    page = signed_in(browser, campus, "li.na")
    expect(page.get_by_role("button", name="值班", exact=True)).to_be_visible()  # the tab
    page.get_by_role("button", name="值班", exact=True).click()
    expect(page.locator("#duty-me")).to_have_text("您目前未签到。")
    expect(page.locator('#duty-windows tr[data-window="gatehouse"]')).to_have_attribute(
        "data-staffed", "unstaffed")
    page.select_option("#duty-post", "gatehouse")
    page.get_by_role("button", name="签到上岗").click()
    expect(page.locator("#duty-me")).to_have_attribute("data-on-duty", "yes")
    expect(page.locator("#duty-me")).to_contain_text("gatehouse")
    expect(page.locator('#duty-list li[data-operator="li.na"]')).to_be_visible()
    expect(page.locator('#duty-windows tr[data-window="gatehouse"]')).to_have_attribute(
        "data-staffed", "staffed")
    expect(page.locator('#duty-windows tr[data-window="later"]')).to_have_attribute(
        "data-staffed", "closed")
    # site-local time: the sign-on time shown is the host's, in Asia/Shanghai
    with ledger(campus) as book:
        shift = DutyRoster(book).on_duty("li.na")
    assert shift is not None and shift.post == "gatehouse"
    local = shift.signed_on.astimezone(ZoneInfo("Asia/Shanghai"))
    expect(page.locator("#duty-me")).to_contain_text(f"{local:%H:%M}")
    page.screenshot(path=str(shots / "operations-duty-zh.png"))
    page.context.close()


def test_a_guard_registers_a_vehicle_and_opens_the_gate_for_it(browser, campus, shots):
    page = signed_in(browser, campus, "li.na", tab="gate")
    expect(page.locator("#gate-privacy")).to_contain_text(f"{RETENTION_DAYS} 天后自动删除")
    page.select_option("#gate-kind", "vehicle")
    page.fill("#gate-plate", PLATE)
    page.fill("#gate-visiting", "食堂")
    page.fill("#gate-purpose", "送菜")
    page.select_option("#gate-gate", GATE)
    page.get_by_role("button", name="登记进入").click()
    expect(page.locator("#gate-result")).to_have_attribute("data-result", "ok")
    row = page.locator('#gate-visits tr[data-inside="yes"]')
    expect(row).to_have_count(1)
    expect(row).to_contain_text(PLATE)
    expect(row).to_contain_text("li.na")
    with ledger(campus) as book:
        visit = GateLog(book).inside()[0]
    assert (visit.kind, visit.plate, visit.registered_by) == ("vehicle", PLATE, "li.na")
    # without the visit number or a reason the host refuses (no schedule windows here)
    page.fill("#gate-open-visit", "")
    page.select_option("#gate-open-gate", GATE)
    page.get_by_role("button", name="开门").click()
    expect(page.locator("#gate-open-result")).to_have_attribute("data-result", "refused")
    expect(page.locator("#gate-open-result")).to_contain_text("outside its schedule windows")
    page.fill("#gate-open-visit", str(visit.id))
    page.get_by_role("button", name="开门").click()
    expect(page.locator("#gate-open-result")).to_have_attribute("data-result", "done")
    wait_until(lambda: any(d["name"] == GATE and d["state"] == "open"
                           for d in campus.status()["devices"]), 15, "the barrier to open")
    page.screenshot(path=str(shots / "operations-gate-zh.png"), full_page=True)
    row.get_by_role("button", name=re.compile("登记离开")).click()
    expect(page.locator('#gate-visits tr[data-inside="yes"]')).to_have_count(0)
    # what a visitor's name says is shown as text, never run as markup
    page.select_option("#gate-kind", "person")
    page.fill("#gate-name", HOSTILE)
    page.fill("#gate-visiting", "<b>校长室</b>")
    page.fill("#gate-purpose", "参观")
    page.get_by_role("button", name="登记进入").click()
    expect(page.locator('#gate-visits tr[data-inside="yes"]')).to_contain_text(HOSTILE)
    assert page.locator("#gate-visits img, #gate-visits b").count() == 0
    assert page.locator("body").get_attribute("data-pwned") is None
    page.context.close()


def test_a_guard_adds_a_hazard_and_a_supervisor_closes_it_in_english(browser, campus, shots):
    guard = signed_in(browser, campus, "li.na", tab="hazards")
    guard.fill("#hazard-title", "东楼三层灭火器过期")
    guard.fill("#hazard-days", "3")
    guard.select_option("#hazard-severity", "major")
    guard.get_by_role("button", name="登记隐患").click()
    expect(guard.locator("#hazard-result")).to_have_attribute("data-result", "ok")
    card = guard.locator(".hazard", has_text="东楼三层灭火器过期")
    expect(card).to_have_attribute("data-state", "open")
    expect(card.locator(".close-form")).to_have_count(0)  # a guard does not sign it off
    expect(guard.locator("#hazard-close-note")).to_contain_text("主管")
    guard.context.close()

    boss = signed_in(browser, campus, "zhang.wei", "en", tab="hazards")
    card = boss.locator(".hazard", has_text="东楼三层灭火器过期")
    expect(card).to_contain_text("owner zhang.wei")
    card.get_by_role("button", name="Close hazard").click()  # no note: the page asks for one
    with ledger(campus) as book:
        assert all(h.closed_at is None for h in HazardRegister(book).all())
    card.locator(".hazard-note").fill("Extinguishers replaced, tags dated")
    card.get_by_role("button", name="Close hazard").click()
    expect(boss.locator("#hazard-result")).to_have_attribute("data-result", "ok")
    expect(boss.locator("#hazard-result")).to_contain_text("in time")
    expect(boss.locator("#hazard-list .hazard")).to_have_count(0)
    boss.check("#hazard-all")
    closed = boss.locator(".hazard", has_text="东楼三层灭火器过期")
    expect(closed).to_have_attribute("data-state", "closed")
    expect(closed).to_contain_text("closed by zhang.wei")
    with ledger(campus) as book:
        entry = HazardRegister(book).all()[-1]
    assert (entry.opened_by, entry.closed_by) == ("li.na", "zhang.wei")
    boss.screenshot(path=str(shots / "operations-hazards-en.png"), full_page=True)
    boss.context.close()


def test_a_smoke_detector_self_test_passes_on_the_simulated_detector(browser, campus, shots):
    page = signed_in(browser, campus, "li.na", "en", tab="selftests")
    row = page.locator('#selftest-devices tr[data-device="classroom-smoke"]')
    expect(row).to_have_attribute("data-status", "overdue")
    row.get_by_role("button", name=re.compile("Start self-test")).click()
    expect(page.locator("#selftest-result")).to_have_attribute("data-result", "done")
    wait_until(lambda: [e for e in campus.events("selftest.pass")
                        if e.device == "classroom-smoke"], 60, "the detector's test mode")
    page.locator('#tabs .tab[data-tab="selftests"]').click()  # reload now, not in 15 s
    expect(row).to_have_attribute("data-status", "ok")
    expect(row).to_contain_text("passed")
    page.screenshot(path=str(shots / "operations-selftests-en.png"))
    page.context.close()


def test_a_viewer_is_offered_no_gate_opening_and_no_self_test(browser, campus):
    page = signed_in(browser, campus, "wang.fang", "en", tab="gate")
    expect(page.locator("#gate-open-form")).to_be_hidden()
    page.locator('#tabs .tab[data-tab="selftests"]').click()
    expect(page.locator("#selftests-note")).to_contain_text(
        re.compile(r"tests smoke detectors due a test by itself on (Mon|Tue|Wed|Thu|Fri|Sat|Sun), "
                   r"09:00–11:00"))
    row = page.locator('#selftest-devices tr[data-device="classroom-smoke"]')
    expect(row).to_contain_text("a self-test is started by a")
    expect(row.get_by_role("button")).to_have_count(0)
    page.context.close()


def test_the_term_report_is_generated_and_viewed(browser, campus, shots):
    for lang, name, open_text, title in (("zh", "zhang.wei", "打开报告", "学期安全工作报告"),
                                         ("en", "wang.fang", "Open report", "Term safety report")):
        page = signed_in(browser, campus, name, "zh-CN" if lang == "zh" else lang, tab="report")
        expect(page.locator("#report-term")).to_have_value("test-term")
        page.locator("#report-generate").click()
        expect(page.locator("#report-result")).to_have_attribute("data-result", "ok",
                                                                 timeout=60_000)
        card = page.locator('#report-list li[data-report="test-term"]')
        expect(card).to_be_visible()
        page.screenshot(path=str(shots / f"operations-report-{lang}.png"))
        with page.context.expect_page() as opened:
            card.get_by_role("link", name=open_text).click()
        report = opened.value
        expect(report.locator("h1")).to_contain_text(title)
        assert report.url.startswith(console_url(campus) + "/api/operations/reports/test-term/")
        assert report.evaluate("() => [...document.images].every((i) => i.naturalWidth > 0)")
        if lang == "en":
            report.screenshot(path=str(shots / "operations-report-page-en.png"))
        page.context.close()
    assert (campus.state_dir / "reports" / "test-term" / "report.json").is_file()


def test_an_alarm_still_shows_and_sounds_on_an_operations_page(browser, campus, shots):
    page = signed_in(browser, campus, "li.na", tab="gate")
    expect(page.locator("#alarm-strip")).to_be_hidden()
    campus.inject("panic", PANIC)
    strip = page.locator("#alarm-strip")
    expect(strip).to_be_visible()
    expect(strip).to_contain_text(PANIC)
    expect(page.locator("#mode-banner")).to_have_text("封锁中")
    expect(page.locator("body")).to_have_attribute("data-alarming", "yes")
    assert int(page.locator("body").get_attribute("data-sound-attempts") or 0) >= 1
    page.screenshot(path=str(shots / "operations-alarm-zh.png"))
    strip.get_by_role("button", name="查看报警").click()
    expect(page.locator("#pane-live")).to_be_visible()
    expect(page.locator(f'#alarm-list .alarm.unacked[data-device="{PANIC}"]')).to_be_visible()
    page.context.close()
