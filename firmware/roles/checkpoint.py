# Guard patrol checkpoint: a Wiegand reader on D0/D1; every good tag read (UID + time) goes into a
# small ring the host drains. Rules kept here:
#   - a frame is a run of D0/D1 pulses ended by _FRAME_GAP_MS of silence; it is decoded by the pure
#     decoder (wiegand.py: length and both parities), a bad frame is counted and refused, never
#     stored as another tag;
#   - the ring keeps CHECKPOINT_RING reads, oldest first; the host reads the oldest (entry_*) and
#     writes its entry_seq to the command register to drop it, so a lost reply or a repeated write
#     never drops a read the host has not seen (any other value: exception 03);
#   - a full ring drops the NEWEST read and sets ring_overflow (the round's start stays);
#   - comm loss changes nothing: reads wait in the ring for the host;
#   - _drive() is the only writer of the outputs (LED and beeper acknowledge a read to the guard).
from core import register_map as R
from core.ticks import ticks_add, ticks_diff

from roles import wiegand
from roles.role_base import RoleBase

try:
    from micropython import const
except ImportError:  # CPython host tests

    def const(x):
        return x


EMPTY = const(0)
READS_WAITING = const(1)

_OUT_LED = const(0x01)
_OUT_BEEPER = const(0x02)

_F_IO = const(0)
_F_OVERFLOW = const(1)
_F_BAD_FRAME = const(2)
_F_TAMPER = const(3)

_FRAME_GAP_MS = const(300)  # no pulse this long ends a frame (the sim plant pulses every 80 ms)
_GOOD_MS = const(300)  # LED + short beep on a good read
_BAD_MS = const(1000)  # long beep on a refused frame
_MAX_BITS = const(40)


class Checkpoint(RoleBase):
    CODE = R.ROLE_CHECKPOINT
    BLOCK = R.role_block(R.ROLE_CHECKPOINT)
    STATE_NAMES = R.state_names(R.ROLE_CHECKPOINT)
    OUTPUT_IO = ("led", "beeper")
    COMM_LOSS_ACTION = "none: reads wait in the ring for the host"

    def __init__(self, bank, io, clock, log=None):
        super().__init__(bank, io, clock, log)
        now = clock.now()
        self._ring = []  # [seq, uid_hi, uid_lo, bits, ticks]
        self._seq = 0
        self._frame = 0
        self._nbits = 0
        self._last_pulse = now
        self._prev = 0
        self._signal_until = now
        self._signal = 0
        self.set_state(EMPTY)

    # ---------------------------------------------------------------- host
    def check_command(self, value):
        if self._ring and value == self._ring[0][0]:
            return 0
        return 3  # only the oldest entry's seq drops it: a stray or repeated write drops nothing

    def command(self, value):
        self._ring.pop(0)
        if not self._ring:
            self.clear_faults(1 << _F_OVERFLOW)
        self._publish(self.clock.now())

    def busy(self):
        """True while a Wiegand frame is coming in or the LED/beeper is timing."""
        return self._nbits > 0 or self._signal != 0

    # ---------------------------------------------------------------- field
    def tick(self):
        now = self.clock.now()
        if not self.io.connected:  # booting (not yet connected) or lost
            if self.io.lost and not self.has_fault(_F_IO):
                self.set_fault(_F_IO)
            self._publish(now)
            return
        if self.has_fault(_F_IO):
            self.clear_faults(1 << _F_IO)
        io = self.io
        bits = (1 if io.get("d0") else 0) | (2 if io.get("d1") else 0)
        bits |= 4 if io.get("tamper") else 0
        rising = bits & ~self._prev
        self._prev = bits
        if self.reg("inputs") != bits >> 2:
            self.put("inputs", bits >> 2)
        if rising & 4:
            self.set_fault(_F_TAMPER)
        elif not bits & 4 and self.has_fault(_F_TAMPER):
            self.clear_faults(1 << _F_TAMPER)
        if rising & 3:
            if rising & 3 == 3:
                self._nbits = _MAX_BITS + 1  # both lines at once: the frame is garbage
            else:
                self._frame = (self._frame << 1) | (1 if rising & 2 else 0)
                self._nbits += 1
            self._last_pulse = now
        elif self._nbits and ticks_diff(now, self._last_pulse) >= _FRAME_GAP_MS:
            self._end_frame(now)
        self._publish(now)

    def _end_frame(self, now):
        uid = wiegand.decode(self._frame, self._nbits) if self._nbits <= _MAX_BITS else None
        nbits = self._nbits
        self._frame = 0
        self._nbits = 0
        if uid is None:
            self.put("bad_frames", self.reg("bad_frames") + 1)
            self.set_fault(_F_BAD_FRAME)
            self._signal_for(now, _OUT_BEEPER, _BAD_MS)
            return
        self.clear_faults(1 << _F_BAD_FRAME)
        self.put("reads_total", self.reg("reads_total") + 1)
        self._signal_for(now, _OUT_LED | _OUT_BEEPER, _GOOD_MS)
        if len(self._ring) >= R.CHECKPOINT_RING:
            self.set_fault(_F_OVERFLOW)
            return
        self._seq = self._seq % 0xFFFF + 1  # 1..65535: 0 means "ring empty"
        self._ring.append([self._seq, uid[0], uid[1], nbits, now])
        self.bump_event()

    def _signal_for(self, now, out, ms):
        self._signal = out
        self._signal_until = ticks_add(now, ms)

    def _publish(self, now):
        ring = self._ring
        if ring:
            seq, hi, lo, nbits, at = ring[0]
            age = ticks_diff(now, at) // 100
            self.put("entry_seq", seq)
            self.put("entry_uid_hi", hi)
            self.put("entry_uid_lo", lo)
            self.put("entry_bits", nbits)
            self.put("entry_age_ds", min(max(age, 0), 0xFFFF))
        elif self.reg("entry_seq"):
            for name in ("entry_seq", "entry_uid_hi", "entry_uid_lo", "entry_bits", "entry_age_ds"):
                self.put(name, 0)
        if self.reg("ring_count") != len(ring):
            self.put("ring_count", len(ring))
        self.set_state(READS_WAITING if ring else EMPTY, "")
        if self._signal and ticks_diff(now, self._signal_until) >= 0:
            self._signal = 0
        self._write_outputs(self._signal)
