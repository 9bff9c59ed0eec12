"""[operations] is read by the one site loader: every mistake at once, with its line and a fix."""

from datetime import date, time

import pytest

from controller.site.errors import SiteError
from controller.site.load import load_site, load_site_text
from tests.controller.operations.ops_site import TEXT, ops_site


def test_operations_section_is_read_into_the_site():
    ops = ops_site().operations
    assert ops.hazard_owner == "zhang.wei" and ops.hazard_days == 3
    term = ops.term("autumn")
    assert (term.start, term.end) == (date(2026, 9, 1), date(2027, 1, 20))
    assert (term.target("fire"), term.target("lockdown"), term.target("evacuation")) == (2, 1, 1)
    assert term.whole_school_months == (11,)
    night = ops.duty[0]
    assert (night.start, night.end, night.min_staff) == (time(19), time(7), 1)
    assert ops.vacations[0].start == date(2027, 1, 21)


def test_unknown_term_names_the_known_ones():
    with pytest.raises(KeyError, match="autumn"):
        ops_site().operations.term("spring")


def test_the_demo_campus_defines_terms_and_duty():
    ops = load_site().operations
    assert [t.name for t in ops.terms] == ["2026-autumn", "2027-spring"]
    assert {w.name for w in ops.duty} >= {"gatehouse-day", "gatehouse-night"}


def test_every_mistake_in_operations_is_reported_with_its_line_and_a_fix():
    bad = TEXT.replace('drills = { fire = 2, lockdown = 1, evacuation = 1 }',
                       'drills = { fire = 2, earthquake = 1 }') \
              .replace('start = "19:00"', 'start = "7pm"') \
              .replace('to = "2027-02-20"', 'to = "2027-01-01"') + '\n[operations.extra]\n'
    with pytest.raises(SiteError) as caught:
        load_site_text(bad, "ops-site.toml")
    text = str(caught.value)
    lines = TEXT.splitlines()
    assert "earthquake" in text and "not a drill kind" in text
    assert "7pm" in text and "HH:MM" in text
    assert "is before `from`" in text
    assert "extra" in text
    problems = caught.value.problems
    assert len(problems) >= 4
    assert all(p.line > 0 and p.fix for p in problems)
    start_line = next(i for i, line in enumerate(lines, 1) if line == 'start = "19:00"')
    assert any(p.line == start_line and "7pm" in p.what for p in problems)
