"""The simulated campus: timed RS-485 buses exposed as ptys, plant models, firmware processes.

Python API (used by hil/ and the tests):

    from sim import Campus
    async with Campus.start(site_path, state_dir) as campus:
        campus.ports                  # {bus name: "/dev/pts/N"}
        await campus.inject("panic", "guard-room-panic")
        campus.plant("main-gate-slider").state
        campus.bus("gate-bus").counters
"""

__all__ = ["Campus"]


def __getattr__(name: str):
    # imported lazily so the plant models and the bus load without the launcher
    if name == "Campus":
        from sim.campus import Campus

        return Campus
    raise AttributeError(name)
