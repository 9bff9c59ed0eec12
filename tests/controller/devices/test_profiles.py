"""Profiles: our roles' poll plans and third-party devices read from protocols/profiles (data)."""

from __future__ import annotations

import pytest

from controller.profiles.roles import role_poll
from controller.profiles.third_party import ProfileError, Read, load_profile
from protocols import registers as R


def test_generic_smoke_points_merge_into_one_read():
    profile = load_profile("generic-rs485-smoke")
    assert profile.kind == "smoke"
    assert profile.reads() == (Read(3, 0, 3),)
    assert profile.point("alarm").values == {0: "normal", 1: "alarm"}
    assert profile.point("concentration").scale == 0.01


def test_generic_input_module_is_one_discrete_input_read():
    profile = load_profile("generic-di-8")
    assert profile.kind == "inputs" and profile.reads() == (Read(2, 0, 8),)


def test_unknown_profile_names_the_known_ones():
    with pytest.raises(ProfileError, match="generic-di-8"):
        load_profile("acme-9000")


def test_role_polls_cover_common_supervision_registers_and_the_whole_role_block():
    for role in ("gate", "bollard", "panic", "smoke"):
        plan = role_poll(role)
        covered = range(plan.common_address, plan.common_address + plan.common_count)
        for name in ("fault_flags", "event_counter", "mode"):
            assert R.address(R.COMMON, name) in covered
        assert plan.block_count == R.block_size(R.ROLE_BLOCKS[R.role_code(role)])
    assert role_poll("panic").alarm_lane and role_poll("smoke").alarm_lane
    assert not role_poll("gate").alarm_lane and not role_poll("bollard").alarm_lane
