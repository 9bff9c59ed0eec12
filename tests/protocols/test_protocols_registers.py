"""The register map is consistent: firmware, host, simulator and docs all read it, so a slip here
(an address used twice, a default outside its range, a state with no name) breaks all of them."""

import pytest

from protocols import registers as R

BLOCKS = [("common", R.COMMON)] + [(R.ROLE_NAMES[c], R.ROLE_BLOCKS[c]) for c in range(1, 5)]


@pytest.mark.parametrize("name,block", BLOCKS, ids=[b[0] for b in BLOCKS])
def test_block_layout(name, block):
    addresses = [reg[R.ADDRESS] for reg in block]
    assert addresses == sorted(set(addresses)), "addresses must be unique and ascending"
    names = [reg[R.NAME] for reg in block]
    assert len(names) == len(set(names))
    if name == "common":
        assert addresses[0] == 0 and addresses[-1] < R.COMMON_SIZE <= R.ROLE_BASE
    else:
        assert addresses[0] == R.ROLE_BASE
        assert R.find(block, "command")[R.ACCESS] == "w" and R.find(block, "state")[R.ACCESS] == "r"
    for reg in block:
        assert len(reg) == 8
        assert reg[R.ACCESS] in ("r", "rw", "w")
        assert 0 <= reg[R.LO] <= reg[R.HI] <= 0xFFFF
        assert reg[R.DOC]
        if reg[R.ACCESS] != "r":  # a value the device starts with must be one it would accept
            assert reg[R.LO] <= reg[R.DEFAULT] <= reg[R.HI], reg[R.NAME]


@pytest.mark.parametrize("code", range(1, 5))
def test_every_state_and_command_value_has_a_name(code):
    block = R.ROLE_BLOCKS[code]
    assert len(R.STATE_NAMES[code]) == R.find(block, "state")[R.HI] + 1
    prefix = R.ROLE_NAMES[code].upper()
    commands = getattr(R, prefix + "_COMMAND_NAMES", None)
    if commands is not None:
        assert len(commands) == R.find(block, "command")[R.HI] + 1
    for names in (
        R.FAULT_NAMES[code],
        getattr(R, prefix + "_INPUT_NAMES", ()),
        getattr(R, prefix + "_OUTPUT_NAMES", ()),
    ):
        assert len(names) <= 16  # bit names of one 16-bit register


def test_enumerations_match_their_registers():
    assert len(R.MODE_NAMES) == R.find(R.COMMON, "mode")[R.HI] + 1
    assert len(R.RESET_CAUSE_NAMES) == R.find(R.COMMON, "reset_cause")[R.HI] + 1
    assert len(R.PARITY_NAMES) == R.find(R.COMMON, "config_parity")[R.HI] + 1
    assert (1 << len(R.SITE_FLAG_NAMES)) - 1 == R.find(R.COMMON, "site_flags")[R.HI]
    assert min(R.BAUD_CODES) == R.find(R.COMMON, "config_baud")[R.LO]
    assert max(R.BAUD_CODES) == R.find(R.COMMON, "config_baud")[R.HI]
    assert R.find(R.COMMON, "config_baud")[R.DEFAULT] in R.BAUD_CODES
    assert [R.role_code(n) for n in ("gate", "bollard", "panic", "smoke")] == [1, 2, 3, 4]
    assert R.bit_names(0b1001, R.GATE_FAULT_NAMES) == ["travel_timeout", "both_limits"]


def test_one_read_covers_each_block():
    # the host polls a whole block with one FC03: it must fit the 125-register limit
    for _, block in BLOCKS:
        assert R.block_size(block) <= 125
