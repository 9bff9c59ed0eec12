"""Which port each bus is on: the site file's [[buses]], or the simulator's DIR/sim.json."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from controller.site.model import Site


class PortsError(Exception):
    """sim.json missing or not matching the site; the message says the fix."""


@dataclass(frozen=True)
class BusPort:
    bus: str
    port: str  # serial device path or socket:// URL
    baud: int
    parity: str
    stopbits: int


def site_ports(site: Site) -> dict[str, BusPort]:
    """Serial buses, and gateways as tcp:// (Modbus TCP) or socket:// (RTU over TCP) ports."""
    ports = {b.name: BusPort(b.name, b.port, b.baud, b.parity, b.stopbits) for b in site.buses}
    ports.update({g.name: BusPort(g.name, g.url, g.baud, "N", 1) for g in site.gateways})
    return ports


def sim_ports(site: Site, sim_dir: str | Path) -> dict[str, BusPort]:
    path = Path(sim_dir) / "sim.json"
    try:
        doc = json.loads(path.read_text())
    except FileNotFoundError:
        raise PortsError(f"no {path}: the simulator is not running there. "
                         f"Fix: start it with `campusguard sim up --site {site.path} --state-dir {sim_dir}`") from None
    except ValueError as exc:
        raise PortsError(f"{path} is not valid JSON ({exc}). Fix: restart the simulator") from exc
    buses = doc.get("buses", {})
    out = {}
    for bus in site.buses:
        entry = buses.get(bus.name)
        if entry is None:
            raise PortsError(f"{path} has no bus {bus.name!r} of {site.path}. "
                             "Fix: run the simulator on the same site file")
        out[bus.name] = BusPort(bus.name, entry["port"], int(entry.get("baud", bus.baud)),
                                entry.get("parity", bus.parity), int(entry.get("stopbits", bus.stopbits)))
    for gateway in site.gateways:  # a simulator that serves the site's gateways lists them
        entry = doc.get("gateways", {}).get(gateway.name)
        if entry is not None:
            out[gateway.name] = BusPort(gateway.name, entry["url"], gateway.baud, "N", 1)
    return out
