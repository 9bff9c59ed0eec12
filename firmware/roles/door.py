# Door controller: electric lock, door position switch, request-to-exit (REX), local unlock button.
# Safety rules kept here:
#   - FREE EGRESS ALWAYS (NFPA 101 §7.2.1.6): REX releases the lock for unlock_ms in every mode,
#     lockdown included, and nothing refuses or delays it; the mechanical inside handle works
#     whatever the firmware does (the plant models it). Lockdown only refuses entry: a held or
#     pulse unlock from the host and the local unlock button are ignored or refused (exception 04);
#   - fire (mode 2) releases a door on an evacuation route (site flag), and a lock command is then
#     refused (exception 04): GB 50116 §4.10.3, NFPA 72 §21.9;
#   - the lock type is a site flag: a fail-safe maglock holds while energised, a fail-secure strike
#     releases while energised. The declared safe state is "coil de-energised" (boot, I/O lost):
#     the physics of each lock (maglock free, strike secure, inside handle always opens);
#   - forced open (opened while locked, no REX, no release) latches an alarm until reset; held open
#     past held_open_s is an alarm until the door closes. Both sound the local sounder;
#   - _drive() is the only writer of the outputs.
from core import register_map as R
from core.ticks import ticks_add, ticks_diff

from roles.role_base import RoleBase

try:
    from micropython import const
except ImportError:  # CPython host tests

    def const(x):
        return x


CLOSED_LOCKED = const(0)
CLOSED_UNLOCKED = const(1)
OPEN = const(2)
HELD_OPEN = const(3)
FORCED_OPEN = const(4)

_OUT_COIL = const(0x01)
_OUT_SOUNDER = const(0x02)

_F_IO = const(0)
_F_REX_STUCK = const(1)

_A_FORCED = const(0x01)
_A_HELD = const(0x02)

_CMD_UNLOCK = const(1)
_CMD_LOCK = const(2)
_CMD_PULSE = const(3)
_CMD_RESET = const(4)

_LOSS_LOCK = const(1)
_LOSS_UNLOCK = const(2)

_REX_STUCK_MS = const(60000)
_RELOCK_GRACE_MS = const(1000)  # a door may still be swinging shut as the lock re-engages


class Door(RoleBase):
    CODE = R.ROLE_DOOR
    BLOCK = R.role_block(R.ROLE_DOOR)
    STATE_NAMES = R.state_names(R.ROLE_DOOR)
    OUTPUT_IO = ("lock_coil", "sounder")
    COMM_LOSS_ACTION = "per door (comm_loss_action): keep, lock, or unlock; REX always releases"

    def __init__(self, bank, io, clock, log=None):
        super().__init__(bank, io, clock, log)
        now = clock.now()
        self._release_until = now  # REX / pulse / button release window end
        self._releasing = False
        self._secured_since = now  # when the lock last engaged (relock grace)
        self._open_since = None
        self._rex_since = None
        self._prev = 0
        self._was_locked = None
        self.put("locked", 0)
        self.set_state(CLOSED_UNLOCKED)

    # ---------------------------------------------------------------- host
    def _fire_release(self):
        return self.mode == R.MODE_FIRE and self.site_flags & R.FLAG_EVACUATION_ROUTE

    def check_command(self, value):
        if value in (_CMD_UNLOCK, _CMD_PULSE):
            return 4 if self.mode == R.MODE_LOCKDOWN else 0  # lockdown refuses entry
        if value == _CMD_LOCK:
            return 4 if self._fire_release() else 0  # never lock an evacuation route in a fire
        if value in (0, _CMD_RESET):
            return 0
        return 3

    def command(self, value):
        if value == _CMD_UNLOCK:
            self.put("unlock_held", 1)
            self.bump_event()
        elif value == _CMD_LOCK:
            self._release_until = self.clock.now()
            if self.reg("unlock_held"):
                self.put("unlock_held", 0)
                self.bump_event()
        elif value == _CMD_PULSE:
            self._release(self.clock.now())
        elif value == _CMD_RESET:
            if self.reg("alarms") & _A_FORCED:
                self.put("alarms", self.reg("alarms") & ~_A_FORCED)
                self.bump_event()
        self._drive(self.clock.now())

    def set_mode(self, mode):
        self.mode = mode
        if mode == R.MODE_LOCKDOWN:
            # a lockdown ends every entry release; a schedule window does not come back by itself
            self._release_until = self.clock.now()
            if self.reg("unlock_held"):
                self.put("unlock_held", 0)
                self.bump_event()
        self._drive(self.clock.now())

    def set_site_flags(self, flags):
        self.site_flags = flags
        self._drive(self.clock.now(), True)  # the coil polarity may have changed

    def on_comm_loss(self):
        self.comm_lost = True
        if self.reg("comm_loss_action") == _LOSS_LOCK and self.reg("unlock_held"):
            self.put("unlock_held", 0)
            self.bump_event()
        self._drive(self.clock.now())

    def on_comm_restored(self):
        self.comm_lost = False
        self._drive(self.clock.now())

    def busy(self):
        """True while timing something: a release window or an open door (held-open timer)."""
        return self._releasing or self._open_since is not None or self._rex_since is not None

    # ---------------------------------------------------------------- field
    def _release(self, now):
        self._release_until = ticks_add(now, self.reg("unlock_ms"))
        self._releasing = True

    def tick(self):
        now = self.clock.now()
        if not self.io.connected:  # booting (not yet connected) or lost
            if self.io.lost and not self.has_fault(_F_IO):
                self.set_fault(_F_IO)
                self.safe_state()
            return
        if self.has_fault(_F_IO):
            self.clear_faults(1 << _F_IO)
        io = self.io
        bits = (1 if io.get("door_open") else 0) | (2 if io.get("rex") else 0)
        bits |= 4 if io.get("button_unlock") else 0
        rising = bits & ~self._prev
        falling = self._prev & ~bits
        self._prev = bits
        if self.reg("inputs") != bits:
            self.put("inputs", bits)

        if bits & 2:  # REX: egress, in every mode
            if self._rex_since is None:
                self._rex_since = now
                self.put("rex_count", self.reg("rex_count") + 1)
                self.bump_event()
            self._release(now)
            if ticks_diff(now, self._rex_since) >= _REX_STUCK_MS:
                self.set_fault(_F_REX_STUCK)
        elif self._rex_since is not None:
            self._rex_since = None
            self.clear_faults(1 << _F_REX_STUCK)
        if rising & 4 and self.mode != R.MODE_LOCKDOWN:
            self._release(now)
        if self._releasing and ticks_diff(now, self._release_until) >= 0:
            self._releasing = False

        if rising & 1:
            self._open_since = now
            if self._secure_now(now):
                self.put("alarms", self.reg("alarms") | _A_FORCED)
                self.put("forced_count", self.reg("forced_count") + 1)
                self.bump_event()
        if falling & 1:
            self._open_since = None
            if self.reg("alarms") & _A_HELD:
                self.put("alarms", self.reg("alarms") & ~_A_HELD)
                self.bump_event()
        if (
            self._open_since is not None
            and not self.reg("alarms") & _A_HELD
            and not self.reg("unlock_held")
            and not self._fire_release()
            and ticks_diff(now, self._open_since) >= self.reg("held_open_s") * 1000
        ):
            self.put("alarms", self.reg("alarms") | _A_HELD)
            self.bump_event()
        self._drive(now)
        if rising & 2 and not self._want_locked():
            changed = io.changed_at("rex")
            self.put("last_release_ms", max(0, ticks_diff(now, changed if changed is not None else now)))

    def _secure_now(self, now):
        """True when an opening now is forced: locked, no release, past the relock grace."""
        if self._releasing or not self.reg("locked"):
            return False
        return ticks_diff(now, self._secured_since) >= _RELOCK_GRACE_MS

    def _want_locked(self):
        if self._fire_release() or self._releasing:
            return False  # egress and fire release first, whatever else is asked
        if self.mode == R.MODE_LOCKDOWN:
            return True
        if self.reg("unlock_held"):
            return False
        if self.comm_lost and self.reg("comm_loss_action") == _LOSS_UNLOCK:
            return False
        return True

    def _drive(self, now, rewrite=False):
        locked = self._want_locked()
        if locked != self._was_locked:
            self._was_locked = locked
            self.put("locked", 1 if locked else 0)
            if locked:
                self._secured_since = now
            self.bump_event()
        fail_secure = self.site_flags & R.FLAG_FAIL_SECURE
        out = _OUT_COIL if (locked and not fail_secure) or (not locked and fail_secure) else 0
        alarms = self.reg("alarms")
        if alarms:
            out |= _OUT_SOUNDER
        if rewrite:
            self.outputs = out ^ (_OUT_COIL | _OUT_SOUNDER)  # every bit differs: all are written
        self._write_outputs(out)
        if self._open_since is not None:
            if alarms & _A_FORCED:
                state = FORCED_OPEN
            elif alarms & _A_HELD:
                state = HELD_OPEN
            else:
                state = OPEN
        elif alarms & _A_FORCED:
            state = FORCED_OPEN
        else:
            state = CLOSED_LOCKED if locked else CLOSED_UNLOCKED
        self.set_state(state, "")

    def safe_state(self):
        """De-energised coil: a maglock frees the door, a strike stays secure (the handle opens it)."""
        self.outputs = _OUT_COIL | _OUT_SOUNDER  # every bit differs from 0: all are written
        self._write_outputs(0)
        self.put("locked", 1 if self.site_flags & R.FLAG_FAIL_SECURE else 0)
        self._was_locked = None
