"""The lanes' site keys ([policy] smoke_poll_s, barrier_idle_poll_s) are validated with file:line
errors, and reach the bus scheduler."""

from __future__ import annotations

import pytest

from controller.site import SiteError, default_site_path, load_site

DEMO = default_site_path().read_text(encoding="utf-8")
POLICY = "[policy]\n"


def _site(tmp_path, extra: str):
    assert DEMO.count(POLICY) == 1
    path = tmp_path / "site.toml"
    path.write_text(DEMO.replace(POLICY, POLICY + extra), encoding="utf-8")
    return path


def test_smoke_poll_period_is_read_from_the_policy(tmp_path):
    site = load_site(_site(tmp_path, "smoke_poll_s = 1.5\nbarrier_idle_poll_s = 4\n"))
    assert site.policy.smoke_poll_s == 1.5 and site.policy.barrier_idle_poll_s == 4


def test_a_smoke_period_that_breaks_nfpa_72_names_file_line_and_fix(tmp_path):
    path = _site(tmp_path, "smoke_poll_s = 9\n")
    with pytest.raises(SiteError) as caught:
        load_site(path)
    (problem,) = caught.value.problems
    line = path.read_text().splitlines().index("smoke_poll_s = 9") + 1
    assert problem.line == line
    text = str(problem)
    assert text.startswith(f"{path}:{line}: policy.smoke_poll_s = 9")
    assert "NFPA 72" in text and "Fix:" in text
