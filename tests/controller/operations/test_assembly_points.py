"""Assembly points: `[[operations.assembly_points]]` names a checkpoint device where classes gather;
a drill's record measures start -> every point of its kind confirmed by a tag read there (the
class teacher's tag), from a real event log; `site check` refuses a bad point with its line and
the fix."""

from datetime import timedelta

import pytest

from campusguard.cli import main
from controller.operations.event_figures import drill_records
from controller.report.render_html import render
from controller.report.term_report import build_report, period
from controller.site.errors import SiteError
from controller.site.load import load_site_text
from controller.store.event_store import EventStore
from tests.controller.operations.ops_site import TEXT, ops_site
from tests.controller.operations.test_term_report import at, drill

CHECKPOINTS = '''
[[zones]]
name = "field"
description = "Sports field"

[[devices]]
name = "field-checkpoint"
bus = "gate-bus"
unit = 11
role = "checkpoint"
zone = "field"

[[devices]]
name = "court-checkpoint"
bus = "gate-bus"
unit = 12
role = "checkpoint"
zone = "field"

[[devices]]
name = "library-checkpoint"
bus = "gate-bus"
unit = 13
role = "checkpoint"
zone = "field"
'''
POINTS = '''
[[operations.assembly_points]]
name = "sports-field"
checkpoint = "field-checkpoint"

[[operations.assembly_points]]
name = "basketball-court"
checkpoint = "court-checkpoint"
drills = ["fire", "evacuation", "lockdown"]
'''


def read(store, checkpoint, ts, drill_mark=True):
    store.append("patrol.read", f"tag read at {checkpoint}", device=checkpoint, drill=drill_mark,
                 data={"uid": 1, "operator": "li.na", "rounds": [], "late": True}, ts=ts)


def test_points_are_read_into_the_site():
    points = ops_site(CHECKPOINTS + POINTS).operations.assembly_points
    assert [(p.name, p.checkpoint, p.drills) for p in points] == [
        ("sports-field", "field-checkpoint", ("fire", "evacuation")),
        ("basketball-court", "court-checkpoint", ("fire", "evacuation", "lockdown"))]


def test_a_bad_point_is_a_site_problem_with_its_line_and_the_fix(tmp_path, capsys):
    bad = POINTS.replace('checkpoint = "field-checkpoint"', 'checkpoint = "side-gate"') \
        .replace('"lockdown"]', '"earthquake"]') + '''
[[operations.assembly_points]]
name = "sports-field"
checkpoint = "library-checkpoint"
'''
    text = TEXT + CHECKPOINTS + bad
    with pytest.raises(SiteError) as caught:
        load_site_text(text, "ops-site.toml")
    lines = text.splitlines()
    problems = {p.line: p for p in caught.value.problems}
    gate = lines.index('checkpoint = "side-gate"') + 1
    assert "not a checkpoint device" in problems[gate].what
    assert "field-checkpoint" in problems[gate].fix and "court-checkpoint" in problems[gate].fix
    kinds = lines.index('drills = ["fire", "evacuation", "earthquake"]') + 1
    assert "drill kinds" in problems[kinds].what and "lockdown" in problems[kinds].fix
    second = [i for i, line in enumerate(lines, 1) if line == 'name = "sports-field"'][-1]
    assert "duplicate assembly point name" in problems[second].what
    assert len(caught.value.problems) == 3
    site_file = tmp_path / "site.toml"
    site_file.write_text(text, encoding="utf-8")
    assert main(["site", "check", str(site_file)]) == 1
    out = capsys.readouterr().out
    assert f"site.toml:{gate}:" in out and ". Fix: name one of court-checkpoint" in out


def test_a_point_naming_a_checkpoint_in_a_site_without_any_says_how_to_add_one():
    with pytest.raises(SiteError) as caught:
        load_site_text(TEXT + POINTS, "ops-site.toml")
    fixes = [p.fix for p in caught.value.problems]
    assert len(fixes) == 2 and all('role = "checkpoint"' in fix for fix in fixes)


@pytest.fixture
def drills(tmp_path):
    """A fire drill with both points read (field 95.5 s, court 140.25 s; the field read twice, a
    court read before the drill and a library read in it that count for nothing); an evacuation
    drill where only the field was read; a lockdown where the court was read at 30 s."""
    store = EventStore(tmp_path / "events.db")
    fire = at(11, 10, 10)
    read(store, "court-checkpoint", fire - timedelta(seconds=5), drill_mark=False)
    drill(store, "fire", fire, minutes=10)
    read(store, "field-checkpoint", fire + timedelta(seconds=95.5))
    read(store, "library-checkpoint", fire + timedelta(seconds=100))
    read(store, "field-checkpoint", fire + timedelta(seconds=120))
    read(store, "court-checkpoint", fire + timedelta(seconds=140.25))
    evacuation = at(11, 17, 10)
    drill(store, "evacuation", evacuation, minutes=10)
    read(store, "field-checkpoint", evacuation + timedelta(seconds=61))
    read(store, "court-checkpoint", evacuation + timedelta(minutes=11))  # after the drill ended
    lockdown = at(11, 24, 14)
    drill(store, "lockdown", lockdown, minutes=5)
    read(store, "court-checkpoint", lockdown + timedelta(seconds=30))
    events = store.query()
    store.close()
    return tmp_path, events


def test_drill_records_measure_start_to_every_assembly_point(drills):
    _, events = drills
    fire, evacuation, lockdown = drill_records(events, ops_site(CHECKPOINTS + POINTS))
    assert fire["assembly_points"] == {
        "ms": 140250.0, "confirmed": 2, "of": 2,
        "points": [{"name": "sports-field", "checkpoint": "field-checkpoint", "ms": 95500.0},
                   {"name": "basketball-court", "checkpoint": "court-checkpoint",
                    "ms": 140250.0}]}
    assert evacuation["assembly_points"]["ms"] is None
    assert (evacuation["assembly_points"]["confirmed"], evacuation["assembly_points"]["of"]) == \
        (1, 2)
    assert evacuation["assembly_points"]["missing"] == ["basketball-court"]
    assert "not all" in evacuation["assembly_points"]["note"]
    assert lockdown["assembly_points"] == {
        "ms": 30000.0, "confirmed": 1, "of": 1,
        "points": [{"name": "basketball-court", "checkpoint": "court-checkpoint",
                    "ms": 30000.0}]}


def test_no_points_is_said_not_measured(drills):
    _, events = drills
    only_field = POINTS.split("\n\n[[operations.assembly_points]]\nname = \"basketball-court\"")[0]
    records = drill_records(events, ops_site(CHECKPOINTS + only_field))
    assert records[2]["assembly_points"] == {
        "ms": None, "confirmed": 0, "of": 0,
        "note": "no assembly point of the site is for lockdown drills"}
    none = drill_records(events, ops_site(CHECKPOINTS))
    assert all(r["assembly_points"]["note"] == "no assembly points defined in the site"
               and r["assembly_points"]["ms"] is None for r in none)


def test_report_html_shows_the_assembly_times_in_both_languages(drills):
    state_dir, _ = drills
    site = ops_site(CHECKPOINTS + POINTS)
    term, first, last = period(site, "autumn", None, None)
    report = build_report(site, state_dir, term, first, last, now=at(12, 1, 12))
    records = report["drills"]["records"]
    assert [r["assembly_points"]["ms"] for r in records] == [140250.0, None, 30000.0]
    zh, en = render(report, "zh-CN", {}), render(report, "en", {})
    assert "start → every assembly point confirmed" in en and "开始→所有集合点确认" in zh
    assert "<td>140.2 s (2/2)</td>" in en
    assert "not all confirmed (1/2); not confirmed: basketball-court" in en
    assert "未全部确认 (1/2); 未确认: basketball-court" in zh
