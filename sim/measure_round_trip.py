"""Measure a Modbus request/response round trip on each simulated bus against its computed wire time.

    .venv/bin/python -m sim.measure_round_trip [--site FILE] [--trials N] [--json]

For every device it writes a read request to the bus's pty (raw pyserial, no Modbus library in the
way) and times from the write to the last byte of the reply. The computed floor is what the wire
allows at best: the request's characters, the t3.5 silence the slave must keep, the reply's
characters. The ratio measured / floor shows how much the simulator (and the firmware's turnaround)
adds on top of the physics.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

import serial

from protocols import pdu, registers, rtu
from sim.campus import Campus
from sim.cli import DEFAULT_SITE
from sim.profile_reader import load_profile

_REPLY_TIMEOUT_S = 0.5


def request_for(device: dict) -> tuple[bytes, int]:
    """(request ADU, expected reply length) reading the device's first registers or bits."""
    role = device["role"]
    if role in registers.ROLE_NAMES[1:]:
        count = 10
        request = pdu.read_request(pdu.FC_READ_HOLDING_REGISTERS, 0, count)
        return rtu.build_adu(device["unit"], request), 5 + 2 * count
    point = load_profile(role).points[0]
    request = pdu.read_request(point.function, point.address, point.count)
    reply_data = (point.count + 7) // 8 if point.function in (1, 2) else 2 * point.count
    return rtu.build_adu(device["unit"], request), 5 + reply_data


def time_one(port: serial.Serial, request: bytes, reply_length: int) -> float | None:
    port.reset_input_buffer()
    started = time.perf_counter()
    port.write(request)
    received = b""
    deadline = started + _REPLY_TIMEOUT_S
    while len(received) < reply_length and time.perf_counter() < deadline:
        received += port.read(reply_length - len(received))
    elapsed = time.perf_counter() - started
    return elapsed if len(received) == reply_length else None


def measure_bus(
    path: str, baud: int, devices: list[dict], trials: int, gap_s: float | None = None
) -> dict:
    """Round trips to each device; gap_s of silence before each request (default 2 x t3.5)."""
    t35_s = rtu.t35_us(baud) / 1e6
    gap_s = 2 * t35_s if gap_s is None else gap_s
    rows = []
    with serial.Serial(path, baudrate=baud, timeout=0.05) as port:
        for device in devices:
            request, reply_length = request_for(device)
            floor_s = (
                rtu.frame_time_us(len(request), baud) + rtu.frame_time_us(reply_length, baud)
            ) / 1e6 + t35_s
            samples = []
            for _ in range(trials):
                elapsed = time_one(port, request, reply_length)
                if elapsed is not None:
                    samples.append(elapsed)
                time.sleep(gap_s)  # a polite master keeps at least t3.5 between frames
            median = statistics.median(samples) if samples else None
            rows.append(
                {
                    "device": device["name"],
                    "unit": device["unit"],
                    "request_bytes": len(request),
                    "reply_bytes": reply_length,
                    "computed_floor_ms": round(floor_s * 1000, 3),
                    "measured_median_ms": round(median * 1000, 3) if median else None,
                    "measured_min_ms": round(min(samples) * 1000, 3) if samples else None,
                    "ratio": round(median / floor_s, 3) if median else None,
                    "answered": f"{len(samples)}/{trials}",
                }
            )
    return {
        "baud": baud,
        "t35_ms": round(t35_s * 1000, 3),
        "gap_ms": round(gap_s * 1000, 3),
        "devices": rows,
    }


async def run(site: Path, trials: int, gap_s: float | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="cg-rtt-") as state:
        async with Campus.start(site, state) as campus:
            described = campus.describe()
            result = {"site": str(site), "boot_s": described["boot_s"], "buses": {}}
            for name, bus in described["buses"].items():
                devices = [d for d in described["devices"] if d["bus"] == name]
                result["buses"][name] = await asyncio.to_thread(
                    measure_bus, bus["port"], bus["baud"], devices, trials, gap_s
                )
                result["buses"][name]["counters"] = campus.bus(name).counters.as_dict()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=DEFAULT_SITE)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument(
        "--gap-ms", type=float, default=None, help="silence before each request (default 2 x t3.5)"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    gap_s = None if args.gap_ms is None else args.gap_ms / 1000
    result = asyncio.run(run(args.site, args.trials, gap_s))
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"site {result['site']} booted in {result['boot_s']:.2f} s")
    for name, bus in result["buses"].items():
        print(
            f"{name}: {bus['baud']} baud, t3.5 = {bus['t35_ms']} ms, {bus['gap_ms']} ms between requests"
        )
        print(
            f"  {'device':<30} {'req':>3} {'rep':>3} {'floor ms':>9} {'median ms':>9} {'min ms':>7} {'ratio':>6} answered"
        )
        print("  counters: " + " ".join(f"{k}={v}" for k, v in bus["counters"].items() if v))
        for row in bus["devices"]:
            print(
                f"  {row['device']:<30} {row['request_bytes']:>3} {row['reply_bytes']:>3} {row['computed_floor_ms']:>9} "
                f"{row['measured_median_ms'] or '-':>9} {row['measured_min_ms'] or '-':>7} {row['ratio'] or '-':>6} {row['answered']}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
