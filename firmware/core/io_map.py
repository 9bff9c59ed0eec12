# The field I/O points of one role from protocols/io_points.py, compacted to (name, kind, idle)
# without docs; the full module is dropped again on MicroPython (see core/register_map.py).
from core.register_map import unload


def role_points(code):
    from protocols import io_points

    points = io_points.ROLE_IO[code] if 0 < code < len(io_points.ROLE_IO) else ()
    points = tuple(p[:3] for p in points)
    del io_points
    unload("protocols.io_points")
    return points


def edge_thresholds():
    """(pressed below, open circuit above) of the gate's monitored edge, in ADC counts."""
    from protocols import io_points

    out = (io_points.EDGE_PRESSED_BELOW, io_points.EDGE_OPEN_ABOVE)
    del io_points
    unload("protocols.io_points")
    return out
