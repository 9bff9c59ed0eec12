# Golden Modbus RTU vectors, run by pytest (test_protocols_golden.py) AND by the real MicroPython
# unix port (micropython_vectors_runner.py): the same checks on both runtimes. The vector modules
# stay MicroPython-compatible (no typing, no pytest) and small, so the runner can compile each one
# in turn within a 64 KiB heap.
#
# Sources of the frames:
#   spec  Modbus Application Protocol V1.1b3 §6 examples (PDUs) and Modbus over serial line V1.02
#         §6.2.2 (CRC of 02 07 is 0x1241, sent 41 12);
#   ex    the widely used worked examples for unit 0x11 (17) and the 0A 81 02 exception frame.
# Every CRC in the vectors was cross-checked with crcmod's predefined "modbus" CRC when written;
# the spec's 2B/0E example gives "Product code XX" length 0x0D, a typo for 0x0F (15 characters).

# (vector module, table name, check function name in protocols_vectors_checks)
TABLES = (
    ("protocols_vectors_requests", "REQUESTS", "check_request"),
    ("protocols_vectors_responses", "RESPONSES", "check_response"),
    ("protocols_vectors_bad_input", "BAD_INPUT", "check_bad"),
    ("protocols_vectors_timing", "TIMING", "check_timing"),
)


def run_table(module_name, table_name, check_name):
    """(passed, failure messages) for one table; every failure is reported, none stops the run."""
    import protocols_vectors_checks

    module = __import__(module_name)
    check = getattr(protocols_vectors_checks, check_name)
    passed = 0
    failures = []
    for vector in getattr(module, table_name):
        try:
            check(vector)
            passed += 1
        except Exception as err:
            failures.append("%s: %s %s" % (vector[0], type(err).__name__, err))
    return passed, failures


def all_vectors():
    """(name, check, vector) for every vector of every table (CPython: pytest parametrisation)."""
    import protocols_vectors_checks

    out = []
    for module_name, table_name, check_name in TABLES:
        module = __import__(module_name)
        check = getattr(protocols_vectors_checks, check_name)
        for vector in getattr(module, table_name):
            out.append((vector[0], check, vector))
    return out
