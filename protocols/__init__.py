# CampusGuard shared protocol layer: pure code, no I/O, no clocks. Runs on CPython and MicroPython.
