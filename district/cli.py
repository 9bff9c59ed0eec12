"""`campusguard district run --config FILE --state-dir DIR`: the district centre."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser("district", help="the district centre (MQTT -> PostgreSQL, console)")
    verbs = p.add_subparsers(dest="district_verb", metavar="run")
    run = verbs.add_parser("run", help="subscribe to every campus, store, serve the console")
    run.add_argument("--config", required=True, type=Path, help="district TOML (docs/DISTRICT.md)")
    run.add_argument("--state-dir", required=True, type=Path,
                     help="operators.db and district.json live here")
    run.set_defaults(func=_run)
    p.set_defaults(func=lambda _args: p.print_help() or 2)


def _run(args) -> int:
    from district.config import DistrictConfigError, load_config
    from district.store import DistrictStoreError

    try:
        config = load_config(args.config)
    except DistrictConfigError as error:
        print(f"campusguard district: {error}", file=sys.stderr)
        return 2

    async def main() -> None:
        from district.service import DistrictCentre

        centre = DistrictCentre(config, args.state_dir)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await centre.start()
        print(f"district centre: console {centre.url}, broker {config.broker}, "
              f"database {config.database.split('@')[-1]}", flush=True)
        try:
            await stop.wait()
        finally:
            await centre.stop()

    try:
        asyncio.run(main())
    except (DistrictStoreError, DistrictConfigError) as error:
        print(f"campusguard district: {error}", file=sys.stderr)
        return 1
    return 0
