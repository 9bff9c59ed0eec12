# Runs the SIA DC-09 golden vectors under the MicroPython unix port with cryptolib as the AES.
# Run: MICROPYPATH=<repo>:<this dir> micropython -X heapsize=64k mpy_sia_runner.py
import cryptolib
import sia_vectors

_MODE_CBC = 2  # cryptolib: 1 = ECB, 2 = CBC


def new_cipher(key):
    return cryptolib.aes(key, _MODE_CBC, bytes(16))


# This port's cryptolib takes 128- and 256-bit keys only (ValueError for 192)
passed, failures, skipped = sia_vectors.run_all(new_cipher, key_lengths=(16, 32))
for failure in failures:
    print("FAIL", failure)
print("sia vectors: %d passed, %d failed, %d skipped" % (passed, len(failures), skipped))
