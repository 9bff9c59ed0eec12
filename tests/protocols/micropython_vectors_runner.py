# Runs the golden vectors under the real MicroPython unix port:
#   MICROPYPATH=<repo root> micropython -X heapsize=64k tests/protocols/micropython_vectors_runner.py
# Prints "protocols vectors: N passed, M failed" (and each failure), then checks that the firmware's
# hot paths allocate nothing (heap locked), printing "protocols no-alloc: N passed, M failed".
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0] if "/" in __file__ else ".")

import gc  # noqa: E402
from array import array  # noqa: E402

import micropython  # noqa: E402
import protocols_golden_vectors  # noqa: E402

from protocols import crc, pdu, rtu  # noqa: E402


def _no_alloc_checks():
    buf = bytearray(rtu.MAX_ADU)
    registers = array("H", range(200))
    bits = bytearray(64)
    request = bytes.fromhex("0103006B00037417")
    checks = (
        ("crc16", lambda: crc.crc16(request, 0, 6)),
        ("crc_ok", lambda: crc.crc_ok(request, 8)),
        ("request_length", lambda: rtu.request_length(request, 8)),
        (
            "encode_read_registers_into + finish_adu",
            lambda: rtu.finish_adu(
                buf, pdu.encode_read_registers_into(buf, 1, 3, registers, 75, 125)
            ),
        ),
        ("encode_read_bits_into", lambda: pdu.encode_read_bits_into(buf, 1, 1, bits, 0, 64)),
        ("encode_write_single_into", lambda: pdu.encode_write_single_into(buf, 1, 6, 100, 1)),
        ("encode_write_multiple_into", lambda: pdu.encode_write_multiple_into(buf, 1, 16, 100, 3)),
        ("encode_diagnostics_into", lambda: pdu.encode_diagnostics_into(buf, 1, 0x0B, 7)),
        ("encode_exception_into", lambda: pdu.encode_exception_into(buf, 1, 3, 2)),
        ("payload_register", lambda: pdu.payload_register(request, 1)),
        ("payload_bit", lambda: pdu.payload_bit(request, 9)),
    )
    passed = 0
    failed = 0
    for name, check in checks:
        micropython.heap_lock()
        try:
            check()
            ok = True
        except MemoryError:
            ok = False
        finally:
            micropython.heap_unlock()
        if ok:
            passed += 1
        else:
            failed += 1
            print("ALLOCATES:", name)
    return passed, failed


def main():
    passed = 0
    failed = 0
    for module_name, table_name, check_name in protocols_golden_vectors.TABLES:
        ok, failures = protocols_golden_vectors.run_table(module_name, table_name, check_name)
        passed += ok
        failed += len(failures)
        for failure in failures:
            print("FAIL:", failure)
        # free the table before compiling the next one: the heap stands for a device's RAM
        del sys.modules[module_name]
        gc.collect()
    print("protocols vectors: %d passed, %d failed" % (passed, failed))
    passed, failed = _no_alloc_checks()
    print("protocols no-alloc: %d passed, %d failed" % (passed, failed))


main()
