# Device configuration on flash: DIR/config.json, written atomically (temp file + rename) with the
# previous good copy kept as config.json.bak. A missing or corrupt file falls back to the .bak; with
# neither, the device boots role "none" at unit 247 with config_invalid set, so a technician can
# find it on the bus.
import json
import os

from core import register_map as R

VERSION = 1
FALLBACK_UNIT = 247  # where an unprovisioned/corrupt device answers
_NAME = "config.json"


class ConfigError(Exception):
    pass


def defaults():
    return {
        "version": VERSION,
        "role": "none",
        "unit": FALLBACK_UNIT,
        "baud": 115200,
        "parity": "N",
        "stopbits": 1,
        "site_flags": 0,
        "comm_loss_timeout_s": 30,
        "serial": 0,
        "params": {},
    }


def _need(cfg, key, ok):
    if key not in cfg or not ok(cfg[key]):
        raise ConfigError("config field %r missing or invalid: %r" % (key, cfg.get(key)))


def validate(cfg):
    """The config with every field checked; ConfigError names the first bad field."""
    if not isinstance(cfg, dict):
        raise ConfigError("config is not a JSON object")
    _need(cfg, "version", lambda v: v == VERSION)
    _need(cfg, "role", lambda v: v in R.ROLE_NAMES[1:])
    _need(cfg, "unit", lambda v: isinstance(v, int) and 1 <= v <= 247)
    _need(cfg, "baud", lambda v: isinstance(v, int) and v // 100 in R.BAUD_CODES and v % 100 == 0)
    out = defaults()
    for key in ("parity", "stopbits", "site_flags", "comm_loss_timeout_s", "serial"):
        if key in cfg:
            out[key] = cfg[key]
    _need(out, "parity", lambda v: v in R.PARITY_NAMES)
    _need(out, "stopbits", lambda v: v in (1, 2))
    _need(out, "site_flags", lambda v: isinstance(v, int) and 0 <= v <= R.find(R.COMMON, "site_flags")[R.HI])
    _need(out, "comm_loss_timeout_s", lambda v: isinstance(v, int) and 0 <= v <= 3600)
    _need(out, "serial", lambda v: isinstance(v, int) and 0 <= v <= 0xFFFFFFFF)
    for key in ("version", "role", "unit", "baud"):
        out[key] = cfg[key]
    block = R.role_block(R.role_code(cfg["role"]))
    params = cfg.get("params", {})
    if not isinstance(params, dict):
        raise ConfigError("config field 'params' is not an object")
    for name in params:
        try:
            reg = R.find(block, name)
        except KeyError:
            raise ConfigError("param %r is not a register of role %s" % (name, cfg["role"])) from None
        value = params[name]
        if reg[R.ACCESS] != "rw" or not isinstance(value, int) or not reg[R.LO] <= value <= reg[R.HI]:
            raise ConfigError("param %r=%r outside %d..%d" % (name, value, reg[R.LO], reg[R.HI]))
    out["params"] = dict(params)
    return out


class ConfigStore:
    def __init__(self, directory):
        self.dir = directory
        self.path = directory + "/" + _NAME
        self.source = ""  # "config", "backup" or "defaults": where the running config came from
        self.error = ""

    def _read(self, path):
        with open(path) as f:
            return validate(json.load(f))

    def load(self):
        """The configuration to boot with; never raises (a device must always boot)."""
        try:
            cfg = self._read(self.path)
            self.source = "config"
            return cfg
        except Exception as e:  # noqa: BLE001 - missing, unreadable or invalid: try the backup
            self.error = "%s: %s" % (self.path, e)
        try:
            cfg = self._read(self.path + ".bak")
            self.source = "backup"
            return cfg
        except Exception:  # noqa: BLE001
            self.source = "defaults"
            return defaults()

    def _write_atomic(self, path, text):
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.rename(tmp, path)  # atomic on POSIX and on LittleFS: readers see old or new, never half

    def save(self, cfg):
        """Validate then write cfg atomically, keeping the current good file as .bak."""
        text = json.dumps(validate(cfg))
        try:
            with open(self.path) as f:
                current = f.read()
            validate(json.loads(current))
            self._write_atomic(self.path + ".bak", current)
        except Exception:  # noqa: BLE001 - no good current file: nothing to keep
            pass
        self._write_atomic(self.path, text)
