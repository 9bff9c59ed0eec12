# SIA DC-09 alarm transmission codec (ANSI/SIA DC-09): frames, Contact ID (ADM-CID) and SIA-DCS
# payloads, AES-CBC encryption and receiver replies. Pure: no I/O, no clocks, no randomness of its
# own (the AES cipher factory and the pad bytes are passed in). Runs on CPython and MicroPython.
