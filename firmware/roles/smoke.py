# Scattered-light smoke detector (NFPA 72, GB 50116).
# obscuration = raw - baseline (1 count = 0.01 %/m). The baseline follows slow drift (dust) only
# while the air reads clean, one count per _DRIFT_STEP_MS; a baseline at
# SMOKE_DIRTY_BASELINE_COUNTS raises dirty_chamber. Alarm needs obscuration >= alarm_threshold for
# verify_s without a break (alarm verification); the alarm then LATCHES (sounder, relay to the fire
# panel) until command 3. Comm loss changes nothing: the local alarm and relay keep working.
from core import register_map as R
from core.ticks import ticks_add, ticks_diff

from roles.role_base import RoleBase

try:
    from micropython import const
except ImportError:  # CPython host tests

    def const(x):
        return x


NORMAL = const(0)
PREALARM = const(1)
VERIFYING = const(2)
ALARM = const(3)
FAULT = const(4)
TEST = const(5)

_OUT_LED = const(0x01)
_OUT_SOUNDER = const(0x02)
_OUT_RELAY = const(0x04)

_F_CHAMBER = const(0)
_F_DIRTY = const(1)
_F_IO = const(2)

_DRIFT_STEP_MS = const(10000)  # baseline moves at most 1 count per 10 s: smoke rises far faster
_TEST_BLINK_MS = const(500)
# The chamber is sampled every _SAMPLE_MS (an ADC has no edge to wake on). NFPA 72 wants an alarm
# initiated within 10 s of the detector seeing smoke (verification aside): half a second of sampling
# adds at most 0.5 s to verify_s and keeps that with a wide margin.
_SAMPLE_MS = const(500)


class Smoke(RoleBase):
    CODE = R.ROLE_SMOKE
    BLOCK = R.role_block(R.ROLE_SMOKE)
    STATE_NAMES = R.state_names(R.ROLE_SMOKE)
    OUTPUT_IO = ("led", "sounder", "relay")
    COMM_LOSS_ACTION = "none: the local alarm, sounder and relay keep working"

    def __init__(self, bank, io, clock, log=None):
        super().__init__(bank, io, clock, log)
        now = clock.now()
        self._drift_at = ticks_add(now, _DRIFT_STEP_MS)
        self._verify_since = now
        self._blink_at = now
        self._blink_on = False
        self.set_state(NORMAL)

    def command(self, value):
        if value == 1:
            self.set_state(TEST, "test mode")
        elif value == 2:
            if self.state == TEST:
                self.set_state(NORMAL, "test mode end")
        elif value == 3:
            if self.state in (ALARM, VERIFYING, PREALARM, TEST):
                self.set_state(NORMAL, "reset")
        elif value == 4:
            raw = self.reg("raw_adc")
            if R.SMOKE_CHAMBER_LOW_COUNTS <= raw <= R.SMOKE_CHAMBER_HIGH_COUNTS:
                self.put("baseline", raw)
                self.clear_faults(1 << _F_DIRTY)
                self.bump_event()

    def tick(self):
        now = self.clock.now()
        if not self.io.connected:  # booting (not yet connected) or lost
            if self.io.lost and not self.has_fault(_F_IO):
                self.set_fault(_F_IO)
            return  # a latched alarm keeps sounder and relay on
        if self.has_fault(_F_IO):
            self.clear_faults(1 << _F_IO)
        raw = self.io.get("sensor")
        self.put("raw_adc", min(max(raw, 0), 4095))
        state = self.state

        if raw < R.SMOKE_CHAMBER_LOW_COUNTS or raw > R.SMOKE_CHAMBER_HIGH_COUNTS:
            self.set_fault(_F_CHAMBER)
            if state not in (ALARM, TEST):
                self.set_state(FAULT, "chamber reading out of range")
            self._drive_outputs(now)
            return
        if self.has_fault(_F_CHAMBER):
            self.clear_faults(1 << _F_CHAMBER)
            if state == FAULT:
                self.set_state(NORMAL, "chamber reading back in range")
                state = NORMAL

        baseline = self.reg("baseline")
        obscuration = raw - baseline if raw > baseline else 0
        self.put("obscuration", obscuration)
        pre = self.reg("prealarm_threshold")
        alarm = self.reg("alarm_threshold")
        self._track_drift(now, raw, baseline, obscuration, pre)

        if state in (NORMAL, PREALARM, VERIFYING):
            if obscuration >= alarm:
                if state != VERIFYING:
                    self._verify_since = now
                    self.set_state(VERIFYING, "above alarm threshold")
                if ticks_diff(now, self._verify_since) >= self.reg("verify_s") * 1000:
                    self.put("alarm_count", self.reg("alarm_count") + 1)
                    self.set_state(ALARM, "alarm verified")
            elif obscuration >= pre:
                self.set_state(PREALARM, "above pre-alarm threshold")
            else:
                self.set_state(NORMAL, "clear")
        self._drive_outputs(now)

    def next_tick_ms(self, now):
        if not self.io.connected:
            return _SAMPLE_MS
        if self.state == TEST:
            return self.until(self._blink_at, now, _SAMPLE_MS)
        if self.state == VERIFYING:
            return self.until(ticks_add(self._verify_since, self.reg("verify_s") * 1000), now, _SAMPLE_MS)
        return _SAMPLE_MS

    def _track_drift(self, now, raw, baseline, obscuration, pre):
        if ticks_diff(now, self._drift_at) < 0:
            return
        self._drift_at = ticks_add(now, _DRIFT_STEP_MS)
        if self.state != NORMAL or obscuration * 2 >= pre and raw > baseline:
            return  # only clean air moves the baseline: smoke must never be compensated away
        if raw > baseline:
            baseline += 1
        elif raw < baseline:
            baseline -= 1
        self.put("baseline", baseline)
        if baseline >= R.SMOKE_DIRTY_BASELINE_COUNTS:
            self.set_fault(_F_DIRTY)

    def _drive_outputs(self, now):
        state = self.state
        if state == ALARM:
            out = _OUT_LED | _OUT_SOUNDER | _OUT_RELAY
        elif state == TEST:
            if ticks_diff(now, self._blink_at) >= 0:
                self._blink_at = ticks_add(now, _TEST_BLINK_MS)
                self._blink_on = not self._blink_on
            out = (_OUT_LED if self._blink_on else 0) | _OUT_SOUNDER
        else:
            out = 0
        self._write_outputs(out)
