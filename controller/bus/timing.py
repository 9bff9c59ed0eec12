"""Modbus RTU timing of one bus, from its baud rate (modbus.org serial line V1.02 §2.5.1.1).

Every timeout on a bus is computed here from frame times plus a device turnaround margin, so a dead
device costs one short timeout, never pymodbus's default 3 s x 4 tries (about 12 s).
"""

from __future__ import annotations

from dataclasses import dataclass

BITS_PER_CHAR = 11  # RTU character: start + 8 data + parity-or-second-stop + stop
FAST_BAUD = 19200  # above this the spec fixes t1.5 = 750 us and t3.5 = 1.75 ms
FAST_T35_S = 0.00175

# A reading request is 8 bytes (unit, fc, address, count, CRC); a single write echo is 8 bytes.
READ_REQUEST_BYTES = 8
WRITE_SINGLE_BYTES = 8


def read_response_bytes(function: int, count: int) -> int:
    """Size of the response to a read of count registers (fc 3/4) or bits (fc 1/2)."""
    data = (count + 7) // 8 if function in (1, 2) else 2 * count
    return 5 + data  # unit, fc, byte count, data, CRC(2)


def write_multiple_request_bytes(count: int) -> int:
    return 9 + 2 * count  # unit, fc, address(2), count(2), byte count, data, CRC(2)


@dataclass(frozen=True)
class BusTiming:
    baud: int  # bits per second on the line
    turnaround_s: float = 0.100  # device's request-end to response-start margin: MicroPython
    # slaves on the sim answer in a few ms, but a loaded 2-core host can add tens of ms
    broadcast_settle_s: float = 0.010  # time every device gets to act on a broadcast before the
    # next frame (spec: the master waits a "turnaround delay" after a broadcast)

    @property
    def char_s(self) -> float:
        return BITS_PER_CHAR / self.baud

    @property
    def t35_s(self) -> float:
        return FAST_T35_S if self.baud > FAST_BAUD else 3.5 * self.char_s

    def frame_s(self, nbytes: int) -> float:
        """Wire time of a frame of nbytes characters."""
        return nbytes * self.char_s

    def timeout_s(self, request_bytes: int, response_bytes: int) -> float:
        """How long to wait for a response, counted from handing the request to the port."""
        return (
            self.frame_s(request_bytes)
            + self.t35_s
            + self.turnaround_s
            + self.frame_s(response_bytes)
            + self.t35_s
        )

    def expected_transaction_s(self, request_bytes: int, response_bytes: int, device_s: float) -> float:
        """Bus time of one request/response when the device answers after device_s."""
        return (
            self.frame_s(request_bytes)
            + self.t35_s
            + device_s
            + self.frame_s(response_bytes)
            + self.t35_s
        )

    def broadcast_gap_s(self, request_bytes: int) -> float:
        """Time a broadcast occupies the bus: its frame, t3.5, then the settle time."""
        return self.frame_s(request_bytes) + self.t35_s + self.broadcast_settle_s
