"""Fixtures for the policy tests: the demo campus and campus drivers (see policy_driver.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from policy_driver import QUIET, Campus

from controller.site import Site, load_site


@pytest.fixture(scope="session")
def demo_site() -> Site:
    return load_site()


@pytest.fixture
def campus(demo_site) -> Campus:
    return Campus(demo_site)


@pytest.fixture
def make_campus(demo_site):
    """Campus with policy overrides: make_campus(fire_during_lockdown="guard_confirm")."""

    def make(now: datetime = QUIET, **policy) -> Campus:
        site = replace(demo_site, policy=replace(demo_site.policy, **policy))
        return Campus(site, now)

    return make
