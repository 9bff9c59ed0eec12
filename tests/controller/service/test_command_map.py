"""Policy actions to register values and to the state a device must reach."""

from controller.service.command_map import COMMAND_VALUES, commanded_state
from protocols import registers as R


def test_lockdown_and_fire_targets_per_role_and_flags():
    assert commanded_state("gate", 0, "mode_lockdown") == "locked"
    assert commanded_state("bollard", 0, "mode_lockdown") == "up"
    assert commanded_state("gate", R.FLAG_EVACUATION_ROUTE, "mode_fire") == "open"
    assert commanded_state("gate", 0, "mode_fire") is None, "a gate off the route keeps its orders"
    assert commanded_state("bollard", R.FLAG_FIRE_LANE, "mode_fire") == "down"
    assert commanded_state("gate", 0, "mode_normal") == ""


def test_command_register_values_match_the_register_map():
    assert COMMAND_VALUES[("gate", "lock")] == R.GATE_COMMAND_NAMES.index("lock")
    assert COMMAND_VALUES[("bollard", "efo")] == R.BOLLARD_COMMAND_NAMES.index("efo")
    assert COMMAND_VALUES[("panic", "panic_reset")] == R.PANIC_RESET_KEY
