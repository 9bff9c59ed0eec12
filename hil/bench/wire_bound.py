"""The wire-time lower bound of each benchmarked path.

A path's bound is the time its Modbus frames need on the wire at the bus's baud, plus the Modbus
silences the spec makes mandatory (Modbus over serial line V1.02 §2.5.1.1: 11-bit characters, a
frame ends after t3.5 of silence, so a slave can only answer t3.5 after a request ends and the
master can only start its next frame t3.5 after the last one). No software time is in it: this is
how fast the path could ever be on that bus with the frames the design needs. Deliberate delays
(the panic station's anti-false-trigger hold, a detector's alarm verification) and mechanical
travel are kept apart in their own fields, so the ratio measured / bound shows software and
scheduling cost only.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from protocols import rtu

# Frame sizes in bytes (RTU ADU: unit + PDU + 2 CRC).
READ_REQUEST_BYTES = 8  # unit, fc 03, address (2), count (2), crc (2)
WRITE_SINGLE_BYTES = 8  # unit, fc 06, address (2), value (2), crc (2); the echo reply is the same
READ_RESPONSE_OVERHEAD_BYTES = 5  # unit, fc, byte count, crc (2); plus 2 per register


def read_response_bytes(registers: int) -> int:
    return READ_RESPONSE_OVERHEAD_BYTES + 2 * registers


@dataclass(frozen=True)
class BusTiming:
    """One RS-485 line as the bound sees it."""

    name: str  # bus name from the site file
    baud: int  # bits per second
    bits_per_char: int = 11  # RTU: start + 8 data + parity or second stop + stop

    def frame_ms(self, nbytes: int) -> float:
        return rtu.frame_time_us(nbytes, self.baud, self.bits_per_char) / 1000.0

    def t35_ms(self) -> float:
        return rtu.t35_us(self.baud) / 1000.0


@dataclass(frozen=True)
class Step:
    """One term of a bound: a frame or a mandatory silence on one bus."""

    what: str  # e.g. "poll request 8 B"
    bus: str
    ms: float


@dataclass(frozen=True)
class WireBound:
    """A lower bound and the steps that make it (steps on different buses may overlap in time:
    total_ms is the critical path, not the sum of all steps)."""

    total_ms: float
    steps: tuple[Step, ...]


def _detect_steps(bus: BusTiming, poll_reads: Sequence[int]) -> tuple[Step, ...]:
    # The cheapest way the host can learn of a change: the poll request that follows it, the
    # slave's mandatory t3.5 turnaround, and the reply carrying the changed register. A design
    # that needs several reads (poll_reads: registers per read, in order) pays each of them, with
    # the master's t3.5 gap between them.
    steps: list[Step] = []
    for index, registers in enumerate(poll_reads):
        if index:
            steps.append(Step("inter-frame gap t3.5", bus.name, bus.t35_ms()))
        steps += [
            Step("poll request %d B" % READ_REQUEST_BYTES, bus.name, bus.frame_ms(READ_REQUEST_BYTES)),
            Step("slave turnaround t3.5", bus.name, bus.t35_ms()),
            Step(
                "poll response %d B" % read_response_bytes(registers),
                bus.name,
                bus.frame_ms(read_response_bytes(registers)),
            ),
        ]
    return tuple(steps)


def _broadcast_steps(source: BusTiming | None, target: BusTiming) -> tuple[Step, ...]:
    steps = []
    if source is not None and source.name == target.name:
        # Same line: the master must leave t3.5 of silence after the reply it just read.
        steps.append(Step("inter-frame gap t3.5", target.name, target.t35_ms()))
    steps.append(
        Step("broadcast mode write %d B" % WRITE_SINGLE_BYTES, target.name, target.frame_ms(WRITE_SINGLE_BYTES))
    )
    return tuple(steps)


def _critical(prefix: tuple[Step, ...], branches: Sequence[tuple[Step, ...]]) -> WireBound:
    """prefix runs first; then every branch runs in parallel (one per bus); the slowest counts."""
    if not branches:
        raise ValueError("a path needs at least one target bus; the site has no barrier bus")
    slowest = max(branches, key=lambda steps: sum(s.ms for s in steps))
    steps = prefix + slowest
    return WireBound(sum(s.ms for s in steps), steps)


def detect_then_broadcast(
    source: BusTiming, targets: Sequence[BusTiming], poll_registers: int = 1,
    poll_reads: Sequence[int] | None = None,
) -> WireBound:
    """Panic press (or smoke alarm) on `source` -> one broadcast mode frame on every target bus.

    Used for panic_to_commanded and smoke_to_egress_commanded: the command counts as sent when
    its last byte is on the wire. poll_reads overrides the single read of poll_registers."""
    prefix = _detect_steps(source, poll_reads or (poll_registers,))
    return _critical(prefix, [_broadcast_steps(source, t) for t in targets])


def broadcast_only(targets: Sequence[BusTiming]) -> WireBound:
    """Guard command -> one broadcast mode frame on every target bus (no detection poll)."""
    return _critical((), [_broadcast_steps(None, t) for t in targets])


def verification_steps(bus: BusTiming, devices: int, registers: int = 1) -> tuple[Step, ...]:
    """After the broadcast: t3.5, then one read per barrier on the bus, back to back."""
    per_device = (
        bus.frame_ms(READ_REQUEST_BYTES) + bus.t35_ms() + bus.frame_ms(read_response_bytes(registers)) + bus.t35_ms()
    )
    return (Step("%d verification reads" % devices, bus.name, devices * per_device),)


def detect_broadcast_verify(
    source: BusTiming,
    targets: Sequence[tuple[BusTiming, int]],
    poll_registers: int = 1,
) -> WireBound:
    """Panic -> every barrier confirmed: detection, broadcast, then a read of every barrier
    (targets: (bus, barriers on it)). Mechanical travel is NOT in here; add it apart."""
    prefix = _detect_steps(source, (poll_registers,))
    branches = [
        _broadcast_steps(source, bus) + verification_steps(bus, count) for bus, count in targets
    ]
    return _critical(prefix, branches)


def polling_floor(source: BusTiming, targets: Sequence[BusTiming], holdup_devices: int,
                  longest_registers: int) -> WireBound:
    """Issue 12's bound for panic -> commanded: one minimal poll (1 register) of every hold-up
    device on the source bus, plus the longest transaction that cannot be interrupted (a read of
    longest_registers), plus one broadcast frame on each barrier bus. The press can land just
    after its station's poll: the scheduler then polls the other stations and one filler before
    coming back to it. Hold time and travel are kept apart, as for every bound."""
    per_poll = (source.frame_ms(READ_REQUEST_BYTES) + 2 * source.t35_ms()
                + source.frame_ms(read_response_bytes(1)))
    longest = (source.frame_ms(READ_REQUEST_BYTES) + 2 * source.t35_ms()
               + source.frame_ms(read_response_bytes(longest_registers)))
    prefix = (Step("%d minimal polls (1 register) of the hold-up lane" % holdup_devices, source.name,
                   holdup_devices * per_poll),
              Step("longest uninterruptible transaction (%d registers)" % longest_registers,
                   source.name, longest))
    return _critical(prefix, [_broadcast_steps(source, t) for t in targets])


# What our host actually reads to see a press or an alarm (controller/devices/role_device.py): one
# register, common.event_counter; because it moved, the common block fault_flags..site_flags
# (6 registers) and the role block (panic: 9 registers, smoke: 11). The "design bound" uses these.
HOST_MINIMAL_POLL_REGISTERS = 1
HOST_COMMON_POLL_REGISTERS = 6
HOST_BLOCK_POLL_REGISTERS = {"panic": 9, "smoke": 11}


def host_poll_reads(role: str) -> tuple[int, int, int]:
    return (HOST_MINIMAL_POLL_REGISTERS, HOST_COMMON_POLL_REGISTERS, HOST_BLOCK_POLL_REGISTERS[role])
