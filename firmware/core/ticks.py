# Millisecond ticks with wrap-around arithmetic (STYLE rule 7). On MicroPython these are the
# built-ins; on CPython (host-side tests of role logic) the same semantics are rebuilt with the
# unix port's period so wrap bugs show up in both places.
try:
    from time import ticks_add, ticks_diff, ticks_ms, ticks_us
except ImportError:  # CPython
    import time as _time

    _PERIOD = 1 << 30  # MICROPY_PY_TIME_TICKS_PERIOD
    _HALF = _PERIOD >> 1

    def ticks_ms():
        return int(_time.monotonic() * 1000) & (_PERIOD - 1)

    def ticks_us():
        return int(_time.monotonic() * 1000000) & (_PERIOD - 1)

    def ticks_add(ticks, delta):
        return (ticks + delta) & (_PERIOD - 1)

    def ticks_diff(a, b):
        return ((a - b + _HALF) & (_PERIOD - 1)) - _HALF


class Clock:
    """The real clock. Roles take a clock object so tests can step time instead."""

    def now(self):
        return ticks_ms()
