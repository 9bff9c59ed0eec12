"""Scale bench (not a test): N simulated campuses -> Mosquitto -> district -> PostgreSQL.

Each simulated campus is the real uplink code (controller/uplink: SQLite outbox, aiomqtt
publisher, QoS 1, cleared on PUBACK) fed by a generated event stream; no device simulators.
The district is the real subscriber and PostgreSQL store, in its own process.

    .venv/bin/python -m district.bench --campuses 100 --rate 10 --duration 30 \
        [--workers 2] [--broker-outage 10] [--out bench-results/district.json]

Reports: events generated, stored, lost, duplicates received (stored once), event -> stored
latency p50/p95/p99/max (campus clock at generation -> district commit, same machine), the load
average, and the command. Goal (issue 17): 500 campuses x 10 events/s, p99 <= 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def _iso(ts: float) -> str:
    when = datetime.fromtimestamp(ts, UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _parse(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


# ---------------------------------------------------------------- district process
def run_district(broker: str, database: str) -> None:
    from district.store import PostgresStore
    from district.subscriber import DistrictSubscriber

    sub = DistrictSubscriber(broker, PostgresStore(database), client_id="bench-district")
    sub.start()
    while not sub.connected:
        time.sleep(0.05)
    print("ready", flush=True)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    while not stop:
        time.sleep(0.2)
    print(json.dumps({"received": sub.received, "duplicates": sub.duplicates,
                      "rejected": sub.rejected}), flush=True)
    os._exit(0)


# ---------------------------------------------------------------- campus process
async def run_campuses(broker: str, first: int, count: int, rate: float, duration: float,
                       workdir: Path, drain_s: float, tick: float = 0.1) -> dict[str, Any]:
    from controller.uplink.config import UplinkConfig
    from controller.uplink.service import Uplink

    uplinks = []
    for index in range(first, first + count):
        campus = f"campus-{index:04d}"
        state = workdir / campus
        state.mkdir(parents=True, exist_ok=True)
        uplink = Uplink(UplinkConfig(broker=broker, campus_id=campus, keepalive_s=30), state,
                        status=lambda c=campus: {"site": c, "mode": "normal", "zones": {},
                                                 "devices": []}, name=campus)
        await uplink.start()
        uplinks.append(uplink)
    deadline = time.monotonic() + 60
    while not all(u.publisher.connected for u in uplinks) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    print("ready", flush=True)
    sys.stdin.readline()  # "go"
    seq = [0] * len(uplinks)
    per_tick = rate * tick
    carry = [0.0] * len(uplinks)
    start = time.monotonic()
    generated = 0
    next_tick = start
    while time.monotonic() - start < duration:
        for i, uplink in enumerate(uplinks):
            carry[i] += per_tick
            n = int(carry[i])
            carry[i] -= n
            if not n:
                continue
            now = _iso(time.time())
            batch = []
            for _ in range(n):
                seq[i] += 1
                kind = "panic.alarm" if seq[i] % 100 == 0 else "device.state"
                batch.append({"id": seq[i], "ts": now, "kind": kind, "message": "bench",
                              "device": f"dev-{seq[i] % 32}", "zone": "main", "data": {}})
            uplink.submit(batch)
            generated += n
        next_tick += tick
        await asyncio.sleep(max(0.0, next_tick - time.monotonic()))
    behind = time.monotonic() - next_tick
    deadline = time.monotonic() + drain_s
    while any(u.outbox.pending() for u in uplinks) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    pending = sum(u.outbox.pending() for u in uplinks)
    for uplink in uplinks:
        await uplink.stop()
    return {"generated": generated, "pending_after_drain": pending,
            "generator_behind_s": round(max(0.0, behind), 3)}


# ---------------------------------------------------------------- orchestration
def _child(args: list[str]) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "district.bench", *args],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if line.strip() != "ready":
        proc.kill()
        raise RuntimeError(f"bench child {args[:2]} did not start")
    return proc


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m district.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--campuses", type=int, default=50)
    parser.add_argument("--rate", type=float, default=10.0, help="events/s per campus")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of generation")
    parser.add_argument("--workers", type=int, default=1, help="campus processes")
    parser.add_argument("--tick", type=float, default=0.1,
                        help="each campus submits its events every TICK s (0.1: one at a time)")
    parser.add_argument("--broker-outage", type=float, default=0.0,
                        help="stop the broker this many seconds in the middle of the run")
    parser.add_argument("--drain", type=float, default=120.0, help="max wait for outboxes")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--outbox-dir", type=Path, default=None,
                        help="where the simulated campuses keep their outboxes (default: tmpfs "
                             "/dev/shm when present: in a district each campus has its own disk)")
    parser.add_argument("--role", choices=("main", "district", "campuses"), default="main",
                        help=argparse.SUPPRESS)
    parser.add_argument("--broker", default="", help=argparse.SUPPRESS)
    parser.add_argument("--database", default="", help=argparse.SUPPRESS)
    parser.add_argument("--first", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.role == "district":
        run_district(args.broker, args.database)
        return 0
    if args.role == "campuses":
        result = asyncio.run(run_campuses(args.broker, args.first, args.campuses, args.rate,
                                          args.duration, args.workdir, args.drain, args.tick))
        print(json.dumps(result), flush=True)
        return 0
    return orchestrate(args)


def orchestrate(args: argparse.Namespace) -> int:
    from district.local_peers import Mosquitto, Postgres
    from district.store import PostgresStore

    command = " ".join([".venv/bin/python -m district.bench", *sys.argv[1:]])
    work = Path(tempfile.mkdtemp(prefix="cg-district-bench-"))
    broker = Mosquitto.start(work / "mosquitto", extra=["max_connections -1"])
    database = Postgres.start()
    children: list[subprocess.Popen] = []
    outboxes: Path | None = None
    try:
        district = _child(["--role", "district", "--broker", broker.url,
                           "--database", database.url])
        children.append(district)
        shm = Path("/dev/shm")
        base = args.outbox_dir or (shm if shm.is_dir() else work)
        outboxes = Path(tempfile.mkdtemp(prefix="cg-bench-outboxes-", dir=base))
        per = -(-args.campuses // args.workers)
        workers = []
        for w in range(args.workers):
            first = w * per
            count = min(per, args.campuses - first)
            if count <= 0:
                break
            workers.append(_child(["--role", "campuses", "--broker", broker.url,
                                   "--first", str(first), "--campuses", str(count),
                                   "--rate", str(args.rate), "--duration", str(args.duration),
                                   "--tick", str(args.tick),
                                   "--drain", str(args.drain), "--workdir", str(outboxes)]))
        children += workers
        loads = []
        started = time.monotonic()
        for proc in workers:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        outage = None
        while any(p.poll() is None for p in workers):
            time.sleep(1.0)
            loads.append(os.getloadavg()[0])
            elapsed = time.monotonic() - started
            if args.broker_outage and outage is None and elapsed >= args.duration / 3:
                broker.stop()
                outage = (elapsed, args.broker_outage)
                time.sleep(args.broker_outage)
                broker.restart()
        results = [json.loads(p.stdout.readline() or "{}") for p in workers]
        generated = sum(r.get("generated", 0) for r in results)
        deadline = time.monotonic() + args.drain
        store = PostgresStore(database.url)
        while store.count_events() < generated and time.monotonic() < deadline:
            time.sleep(0.5)
        rows = store._exec("SELECT ts, stored_at FROM events")
        store.close()
        district.send_signal(signal.SIGTERM)
        counters = json.loads(district.stdout.readline() or "{}")
        latencies = [_parse(s) - _parse(t) for t, s in rows]
        report = {
            "machine": f"{os.cpu_count()} cores, {os.uname().nodename}",
            "command": command,
            "campuses": args.campuses, "rate_per_campus": args.rate,
            "offered_events_per_s": args.campuses * args.rate, "duration_s": args.duration,
            "broker_outage_s": args.broker_outage, "tick_s": args.tick,
            "generated": generated, "stored": len(rows), "lost": generated - len(rows),
            "duplicates_received": counters.get("duplicates"),
            "duplicates_stored": 0,  # event id is the primary key: a resend cannot be stored twice
            "stored_events_per_s": round(len(rows) / max(args.duration, 1e-9), 1),
            "latency_ms": {k: round(_percentile(latencies, q) * 1000, 1) for k, q in
                           (("p50", 0.5), ("p95", 0.95), ("p99", 0.99), ("max", 1.0))},
            "load_avg_1min": {"mean": round(sum(loads) / max(len(loads), 1), 2),
                              "max": round(max(loads, default=0.0), 2)},
            "campus_workers": results,
            "campus_outboxes": str(base),
        }
        print(json.dumps(report, indent=2))
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(report, indent=2) + "\n")
        return 0 if report["lost"] == 0 else 1
    finally:
        for proc in children:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        broker.stop()
        database.stop()
        shutil.rmtree(work, ignore_errors=True)
        if outboxes is not None:
            shutil.rmtree(outboxes, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
