# The configuration store on CPython: validation names the bad field; saves are atomic and keep
# the previous good file as .bak; load never raises.
import json

import pytest
from core.config_store import ConfigError, ConfigStore, validate

GOOD = {"version": 1, "role": "gate", "unit": 1, "baud": 115200, "parity": "N", "stopbits": 1,
        "site_flags": 0, "comm_loss_timeout_s": 30, "serial": 12345,
        "params": {"travel_timeout_s": 30}}


@pytest.mark.parametrize("field,value", [
    ("unit", 0), ("unit", 248), ("baud", 12345), ("parity", "X"), ("role", "toaster"),
    ("stopbits", 3), ("site_flags", 8), ("params", {"travel_timeout_s": 500}),
    ("params", {"no_such_register": 1}), ("params", {"state": 1}),
])
def test_firmware_config_validation_names_the_bad_field(field, value):
    bad = dict(GOOD, **{field: value})
    with pytest.raises(ConfigError):
        validate(bad)


def test_firmware_config_save_is_atomic_and_keeps_backup(tmp_path):
    store = ConfigStore(str(tmp_path))
    (tmp_path / "config.json").write_text(json.dumps(GOOD))
    store.save(dict(GOOD, unit=9))
    assert json.loads((tmp_path / "config.json").read_text())["unit"] == 9
    assert json.loads((tmp_path / "config.json.bak").read_text())["unit"] == 1
    assert not (tmp_path / "config.json.tmp").exists()
    (tmp_path / "config.json").write_text("{")  # torn write / corruption
    assert store.load()["unit"] == 1 and store.source == "backup"
    (tmp_path / "config.json.bak").unlink()
    assert store.load()["unit"] == 247 and store.source == "defaults"
