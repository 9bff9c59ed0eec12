"""Provision a device's flash directory the way an installer would: config.json, written once.

After the first boot the file belongs to the firmware (it rewrites it atomically on a config
commit), so a configuration changed over Modbus survives a power cycle of the simulated device.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from protocols.serial_number import serial_number
from sim.site_reader import SimBus, SimDevice

CONFIG_VERSION = 1


def device_config(site_name: str, device: SimDevice, bus: SimBus, comm_loss_timeout_s: int) -> dict:
    return {
        "version": CONFIG_VERSION,
        "role": device.role,
        "unit": device.unit,
        "baud": bus.baud,
        "parity": bus.parity,
        "stopbits": bus.stopbits,
        "site_flags": device.site_flags,
        "comm_loss_timeout_s": comm_loss_timeout_s,
        "serial": serial_number(site_name, device.name),
        "params": dict(device.params),
    }


def provision(flash_dir: Path, config: dict) -> bool:
    """Write flash_dir/config.json if there is none; True when it was written now."""
    flash_dir.mkdir(parents=True, exist_ok=True)
    path = flash_dir / "config.json"
    if path.exists():
        return False
    tmp = flash_dir / "config.json.provision"
    tmp.write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return True
