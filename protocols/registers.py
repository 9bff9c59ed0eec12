# The register map of every CampusGuard device: defined once, read by firmware, host, simulator and
# the generated docs/registers.md (`make docs`, rendered by protocols/register_doc.py).
#
# All registers are 16-bit holding registers (FC 03 read, FC 06/16 write). FC 04 reads the same bank
# so masters that only poll input registers still see everything. 32-bit values are two registers,
# high word first. A write outside [lo, hi] is refused with exception 03 (illegal data value), never
# clamped. A write to a read-only register is refused with exception 02 (illegal data address).
#
# Plain tuples, no dataclasses/enum: this module runs unchanged on MicroPython (STYLE rule 2).
# Each register: (name, address, access, lo, hi, default, unit, doc)
#   access: "r" read-only, "rw" read/write (persisted where the doc says so),
#           "w" command register (reads back the last command accepted)

import sys

NAME = 0
ADDRESS = 1
ACCESS = 2
LO = 3
HI = 4
DEFAULT = 5
UNIT = 6
DOC = 7

# ---------------------------------------------------------------- roles
ROLE_GATE = 1
ROLE_BOLLARD = 2
ROLE_PANIC = 3
ROLE_SMOKE = 4
ROLE_DOOR = 5
ROLE_CHECKPOINT = 6
ROLE_INTRUSION = 7
ROLE_NAMES = ("none", "gate", "bollard", "panic", "smoke", "door", "checkpoint", "intrusion")

# ---------------------------------------------------------------- campus mode (common.mode)
# Set by the host, usually as one broadcast write (unit 0) so every device hears it in one frame.
MODE_NORMAL = 0
MODE_LOCKDOWN = 1  # gates close and lock, local buttons ignored except key override; bollards EFO up;
# doors lock against entry (REX and the handle still let people out)
MODE_FIRE = 2  # evacuation-route gates open and hold; fire-lane bollards lower; evacuation-route doors release
MODE_NAMES = ("normal", "lockdown", "fire")

# common.site_flags bits, provisioned by the host from the site file
FLAG_EVACUATION_ROUTE = 0x0001  # GB 50116 §4.10.3: opens on fire
FLAG_FIRE_LANE = 0x0002  # bollard lowers on fire so appliances can pass
FLAG_FAIL_SECURE = 0x0004  # door: the lock is a fail-secure strike (energise to release); clear: a
# fail-safe maglock (energise to hold, releases on loss of power)
SITE_FLAG_NAMES = ("evacuation_route", "fire_lane", "fail_secure")

# common.reset_cause
RESET_CAUSE_NAMES = ("unknown", "power_on", "watchdog", "config_reboot", "hard_reset", "soft_reset")

# common.fault_flags bits
COMMON_FAULT_NAMES = (
    "config_invalid",  # bit 0: stored configuration unreadable, defaults in use
    "watchdog_reset",  # bit 1: last reset was the hardware watchdog
    "comm_loss",  # bit 2: no valid request from the host (read, write, broadcast) within comm_loss_timeout_s
    "flash_write",  # bit 3: a configuration write failed
    "io_lost",  # bit 4: I/O (sensor/actuator channel) lost; actuators in safe state
    "role_fault",  # bit 5: the role block reports a fault (see its faults register)
    "heap_low",  # bit 6: free heap under 8 KiB
)

# common.config_command keys: magic values, so a corrupted write never reconfigures a device.
CONFIG_COMMIT = 0xA55A  # write pending unit/serial settings to flash atomically, reply, then reboot
CONFIG_DISCARD = 0x5AA5  # forget pending settings
CONFIG_REBOOT = 0xB007  # reboot without changing configuration

BAUD_CODES = (96, 192, 384, 576, 1152)  # baud / 100; only these are accepted
PARITY_NAMES = ("N", "O", "E")

COMMON = (
    ("role", 0, "r", 1, 7, 0, "", "Device role: 1 gate, 2 bollard, 3 panic station, 4 smoke detector, 5 door, 6 patrol checkpoint, 7 intrusion zone"),
    ("fw_version", 1, "r", 0, 0xFFFF, 0, "", "Firmware version, major * 256 + minor"),
    ("fw_patch", 2, "r", 0, 0xFFFF, 0, "", "Firmware patch level"),
    ("serial_hi", 3, "r", 0, 0xFFFF, 0, "", "Serial number, high word"),
    ("serial_lo", 4, "r", 0, 0xFFFF, 0, "", "Serial number, low word"),
    ("uptime_hi", 5, "r", 0, 0xFFFF, 0, "s", "Seconds since boot, high word"),
    ("uptime_lo", 6, "r", 0, 0xFFFF, 0, "s", "Seconds since boot, low word"),
    ("reset_cause", 7, "r", 0, 5, 0, "", "Cause of the last reset, see RESET_CAUSE_NAMES"),
    ("fault_flags", 8, "r", 0, 0xFFFF, 0, "bits", "Device faults, see COMMON_FAULT_NAMES"),
    ("event_counter", 9, "r", 0, 0xFFFF, 0, "", "Increments (wrapping) on every state change or event, so a poll never misses one"),
    ("heartbeat", 10, "rw", 0, 0xFFFF, 0, "", "Host writes any value; like every valid request for this unit (or broadcast), restarts the comm-loss timer"),
    ("comm_loss_timeout_s", 11, "rw", 0, 3600, 30, "s", "No valid request from the host for this long runs the role's comm-loss action; 0 disables (persisted)"),
    ("mode", 12, "rw", 0, 2, 0, "", "Campus mode set by the host: 0 normal, 1 lockdown, 2 fire (usually a broadcast)"),
    ("site_flags", 13, "rw", 0, 7, 0, "bits", "Bit 0 evacuation route, bit 1 fire lane, bit 2 fail-secure door lock (persisted)"),
    ("config_unit", 14, "rw", 1, 247, 1, "", "Pending unit address; applied by config_command"),
    ("config_baud", 15, "rw", 96, 1152, 1152, "baud/100", "Pending baud / 100: 96, 192, 384, 576 or 1152"),
    ("config_parity", 16, "rw", 0, 2, 0, "", "Pending parity: 0 none, 1 odd, 2 even"),
    ("config_stopbits", 17, "rw", 1, 2, 1, "", "Pending stop bits"),
    ("config_command", 18, "w", 0, 0xFFFF, 0, "", "0xA55A commit pending settings and reboot, 0x5AA5 discard, 0xB007 reboot"),
    ("fault_log_count", 19, "r", 0, 16, 0, "", "Entries in the fault log ring (newest first)"),
    ("fault_log_select", 20, "rw", 0, 15, 0, "", "Selects a fault log entry, 0 = newest"),
    ("fault_log_code", 21, "r", 0, 0xFFFF, 0, "", "Fault code of the selected entry: bit number + 16 * block (0 common, 1 role)"),
    ("fault_log_uptime_hi", 22, "r", 0, 0xFFFF, 0, "s", "Uptime of the selected entry, high word"),
    ("fault_log_uptime_lo", 23, "r", 0, 0xFFFF, 0, "s", "Uptime of the selected entry, low word"),
    ("active_unit", 24, "r", 1, 247, 1, "", "Unit address in use"),
    ("active_baud", 25, "r", 96, 1152, 1152, "baud/100", "Baud / 100 in use"),
    ("heap_free", 26, "r", 0, 0xFFFF, 0, "16 B", "Free heap in 16-byte units"),
    ("state", 27, "r", 0, 0xFFFF, 0, "", "Copy of the role block's state register, for one-read polling"),
)
COMMON_SIZE = 32

# ---------------------------------------------------------------- role blocks start here
ROLE_BASE = 100

# Gate ---------------------------------------------------------------------------------------
GATE_COMMAND_NAMES = ("none", "open", "close", "stop", "lock", "unlock", "reset_fault")
GATE_STATE_NAMES = ("unknown", "closed", "opening", "open", "closing", "stopped", "reversing", "fault")
GATE_INPUT_NAMES = (
    "limit_open", "limit_closed", "photo_eye_blocked", "edge_pressed",
    "vehicle_loop", "key_override", "button_open", "button_close",
)
GATE_FAULT_NAMES = (
    "travel_timeout",  # bit 0: a limit was not reached within travel_timeout_s
    "photo_eye_monitor",  # bit 1: photo-eye failed its pre-close test (UL 325 monitoring)
    "edge_monitor",  # bit 2: edge circuit open or shorted
    "both_limits",  # bit 3: both limit switches active at once
    "second_obstruction",  # bit 4: second contact on the inherent sensor; stopped, needs reset
    "io_lost",  # bit 5: I/O channel lost
)
GATE_OUTPUT_NAMES = ("motor_open", "motor_close", "lock", "warning_light", "eye_test")

GATE = (
    ("command", 100, "w", 0, 6, 0, "", "1 open, 2 close, 3 stop, 4 lock, 5 unlock, 6 reset fault"),
    ("state", 101, "r", 0, 7, 0, "", "See GATE_STATE_NAMES"),
    ("locked", 102, "r", 0, 1, 0, "", "1 when the lock output is engaged"),
    ("inputs", 103, "r", 0, 0xFFFF, 0, "bits", "See GATE_INPUT_NAMES"),
    ("faults", 104, "r", 0, 0xFFFF, 0, "bits", "See GATE_FAULT_NAMES"),
    ("outputs", 105, "r", 0, 0xFFFF, 0, "bits", "See GATE_OUTPUT_NAMES"),
    ("travel_timeout_s", 106, "rw", 5, 120, 30, "s", "Travel longer than this stops the motor and raises travel_timeout (persisted)"),
    ("last_travel_ms", 107, "r", 0, 0xFFFF, 0, "ms", "Duration of the last completed travel"),
    ("obstruction_count", 108, "r", 0, 0xFFFF, 0, "", "Obstructions sensed while closing"),
    ("hold_to_run", 109, "r", 0, 1, 0, "", "1 when monitoring failed: the gate moves only on constant pressure (UL 325)"),
    ("last_reaction_ms", 110, "r", 0, 0xFFFF, 0, "ms", "Obstruction sensed to motor stopped, last event"),
)

# Bollard ------------------------------------------------------------------------------------
BOLLARD_COMMAND_NAMES = ("none", "raise", "lower", "efo", "stop", "reset_fault")
BOLLARD_STATE_NAMES = ("unknown", "down", "rising", "up", "lowering", "stopped", "fault", "warning")
BOLLARD_INPUT_NAMES = ("limit_up", "limit_down", "load_on_top", "efo_input")
BOLLARD_FAULT_NAMES = (
    "travel_timeout",  # bit 0
    "both_limits",  # bit 1
    "duty_limit",  # bit 2: more cycles this hour than cycle_limit (pump run timer)
    "io_lost",  # bit 3
    "pump_overrun",  # bit 4: pump ran longer than the travel timeout
)
BOLLARD_OUTPUT_NAMES = ("pump_up", "valve_down", "efo_valve", "warning_light", "sounder")

BOLLARD = (
    ("command", 100, "w", 0, 5, 0, "", "1 raise, 2 lower, 3 emergency fast raise (EFO), 4 stop, 5 reset fault"),
    ("state", 101, "r", 0, 7, 0, "", "See BOLLARD_STATE_NAMES"),
    ("efo_active", 102, "r", 0, 1, 0, "", "1 while an emergency fast operation is under way or held"),
    ("inputs", 103, "r", 0, 0xFFFF, 0, "bits", "See BOLLARD_INPUT_NAMES"),
    ("faults", 104, "r", 0, 0xFFFF, 0, "bits", "See BOLLARD_FAULT_NAMES"),
    ("outputs", 105, "r", 0, 0xFFFF, 0, "bits", "See BOLLARD_OUTPUT_NAMES"),
    ("travel_timeout_s", 106, "rw", 3, 30, 15, "s", "Normal raise/lower longer than this is a fault (UFGS: 3-15 s travel) (persisted)"),
    ("last_travel_ms", 107, "r", 0, 0xFFFF, 0, "ms", "Duration of the last completed travel"),
    ("efo_timeout_ms", 108, "rw", 500, 5000, 2500, "ms", "EFO rise longer than this is a fault (UFGS EFO <= 2.5 s) (persisted)"),
    ("fail_secure", 109, "rw", 0, 1, 1, "", "1: stay up on faults and comm loss (default); 0: site declared fail-safe (persisted)"),
    ("efo_honours_load", 110, "rw", 0, 1, 1, "", "1: a load on top stops and reverses an EFO rise too (default) (persisted)"),
    ("cycles_this_hour", 111, "r", 0, 0xFFFF, 0, "", "Raise/lower cycles in the last hour (pump run timer)"),
    ("cycle_limit", 112, "rw", 1, 300, 300, "/h", "Duty limit: normal cycles an hour; EFO is always allowed (persisted)"),
    ("warning_ms", 113, "rw", 1000, 5000, 1000, "ms", "Warning light and sounder before a normal rise (>= 1 s) (persisted)"),
    ("last_efo_ms", 114, "r", 0, 0xFFFF, 0, "ms", "Duration of the last EFO rise"),
)

# Panic station ------------------------------------------------------------------------------
PANIC_RESET_KEY = 0x5253  # command value for an authorised host reset ("RS"): never a stray value
PANIC_COMMAND_ACK = 1  # host received the alarm: "alarm received" LED on
PANIC_STATE_NAMES = ("idle", "alarm", "acknowledged")
PANIC_INPUT_NAMES = ("button", "tamper", "key_reset")
PANIC_FAULT_NAMES = (
    "tamper",  # bit 0: enclosure opened or wiring cut
    "button_stuck",  # bit 1: button held longer than 60 s
    "io_lost",  # bit 2
)
PANIC_OUTPUT_NAMES = ("led_alarm", "led_received", "buzzer")

PANIC = (
    ("command", 100, "w", 0, 0xFFFF, 0, "", "1 acknowledge (LED shows alarm received); 0x5253 authorised reset; other values refused"),
    ("state", 101, "r", 0, 2, 0, "", "0 idle, 1 alarm latched, 2 alarm latched and acknowledged"),
    ("press_count", 102, "r", 0, 0xFFFF, 0, "", "Accepted presses since boot (wrapping): the host compares, never misses one"),
    ("inputs", 103, "r", 0, 0xFFFF, 0, "bits", "See PANIC_INPUT_NAMES"),
    ("faults", 104, "r", 0, 0xFFFF, 0, "bits", "See PANIC_FAULT_NAMES"),
    ("outputs", 105, "r", 0, 0xFFFF, 0, "bits", "See PANIC_OUTPUT_NAMES"),
    ("hold_ms", 106, "rw", 50, 2000, 200, "ms", "A press must be held this long to count: anti-false-trigger (persisted)"),
    ("alarm_uptime_hi", 107, "r", 0, 0xFFFF, 0, "s", "Uptime when the alarm latched, high word"),
    ("alarm_uptime_lo", 108, "r", 0, 0xFFFF, 0, "s", "Uptime when the alarm latched, low word"),
)

# Smoke detector -----------------------------------------------------------------------------
SMOKE_COMMAND_NAMES = ("none", "test_start", "test_stop", "reset", "recalibrate")
SMOKE_STATE_NAMES = ("normal", "prealarm", "verifying", "alarm", "fault", "test")
SMOKE_FAULT_NAMES = (
    "chamber_fault",  # bit 0: sensor reading out of range (LED dead or saturated)
    "dirty_chamber",  # bit 1: drift compensation near its limit: clean the chamber
    "io_lost",  # bit 2
)
SMOKE_OUTPUT_NAMES = ("led", "sounder", "relay")
# Sensor scaling (sim board and the reference analogue front end): 1 ADC count above the clean-air
# baseline = 0.01 %/m obscuration. Clean air reads about 400 counts.
SMOKE_CLEAN_AIR_COUNTS = 400
SMOKE_CHAMBER_LOW_COUNTS = 100  # below: IR emitter dead -> chamber_fault
SMOKE_CHAMBER_HIGH_COUNTS = 4000  # above: saturated -> chamber_fault
SMOKE_DIRTY_BASELINE_COUNTS = 700  # baseline drifted this far: dirty_chamber warning

SMOKE = (
    ("command", 100, "w", 0, 4, 0, "", "1 test start, 2 test stop, 3 reset latched alarm, 4 recalibrate baseline"),
    ("state", 101, "r", 0, 5, 0, "", "See SMOKE_STATE_NAMES"),
    ("obscuration", 102, "r", 0, 0xFFFF, 0, "0.01 %/m", "Obscuration after drift compensation"),
    ("baseline", 103, "r", 0, 4095, 400, "counts", "Clean-air baseline tracked slowly (drift compensation)"),
    ("faults", 104, "r", 0, 0xFFFF, 0, "bits", "See SMOKE_FAULT_NAMES"),
    ("outputs", 105, "r", 0, 0xFFFF, 0, "bits", "See SMOKE_OUTPUT_NAMES"),
    ("prealarm_threshold", 106, "rw", 20, 2000, 150, "0.01 %/m", "Pre-alarm at this obscuration (persisted)"),
    ("alarm_threshold", 107, "rw", 50, 3000, 300, "0.01 %/m", "Alarm at this obscuration, after verification (persisted)"),
    ("verify_s", 108, "rw", 0, 60, 5, "s", "Alarm verification: above threshold this long before alarm (NFPA 72 allows up to 60 s) (persisted)"),
    ("alarm_count", 109, "r", 0, 0xFFFF, 0, "", "Alarms since boot (wrapping)"),
    ("raw_adc", 110, "r", 0, 4095, 0, "counts", "Raw sensor reading"),
)



# The door, checkpoint and intrusion blocks live in protocols/registers_access.py. CPython (host,
# simulator, docs) sees them here as part of one map. The MicroPython firmware does not import them
# with the rest: firmware/core/register_map.py loads them only on a device that runs one of those
# roles, which keeps their interned names (about 2 KB) off the heap of a gate or a smoke detector.
ACCESS_FIRST_ROLE = ROLE_DOOR
if sys.implementation.name == "micropython":
    ROLE_BLOCKS = (None, GATE, BOLLARD, PANIC, SMOKE)
    STATE_NAMES = (None, GATE_STATE_NAMES, BOLLARD_STATE_NAMES, PANIC_STATE_NAMES,
                   SMOKE_STATE_NAMES)
    FAULT_NAMES = (None, GATE_FAULT_NAMES, BOLLARD_FAULT_NAMES, PANIC_FAULT_NAMES,
                   SMOKE_FAULT_NAMES)
else:
    from protocols import registers_access as _access

    CHECKPOINT = _access.CHECKPOINT
    CHECKPOINT_FAULT_NAMES = _access.CHECKPOINT_FAULT_NAMES
    CHECKPOINT_INPUT_NAMES = _access.CHECKPOINT_INPUT_NAMES
    CHECKPOINT_OUTPUT_NAMES = _access.CHECKPOINT_OUTPUT_NAMES
    CHECKPOINT_RING = _access.CHECKPOINT_RING
    CHECKPOINT_STATE_NAMES = _access.CHECKPOINT_STATE_NAMES
    DOOR = _access.DOOR
    DOOR_ALARM_NAMES = _access.DOOR_ALARM_NAMES
    DOOR_COMMAND_NAMES = _access.DOOR_COMMAND_NAMES
    DOOR_COMM_LOSS_NAMES = _access.DOOR_COMM_LOSS_NAMES
    DOOR_FAULT_NAMES = _access.DOOR_FAULT_NAMES
    DOOR_INPUT_NAMES = _access.DOOR_INPUT_NAMES
    DOOR_OUTPUT_NAMES = _access.DOOR_OUTPUT_NAMES
    DOOR_STATE_NAMES = _access.DOOR_STATE_NAMES
    INTRUSION = _access.INTRUSION
    INTRUSION_BYPASS_BASE = _access.INTRUSION_BYPASS_BASE
    INTRUSION_COMMAND_NAMES = _access.INTRUSION_COMMAND_NAMES
    INTRUSION_FAULT_NAMES = _access.INTRUSION_FAULT_NAMES
    INTRUSION_LOOPS = _access.INTRUSION_LOOPS
    INTRUSION_LOOP_ALARM = _access.INTRUSION_LOOP_ALARM
    INTRUSION_LOOP_NORMAL = _access.INTRUSION_LOOP_NORMAL
    INTRUSION_LOOP_STATUS_NAMES = _access.INTRUSION_LOOP_STATUS_NAMES
    INTRUSION_NORMAL_MAX = _access.INTRUSION_NORMAL_MAX
    INTRUSION_OPEN_ABOVE = _access.INTRUSION_OPEN_ABOVE
    INTRUSION_OUTPUT_NAMES = _access.INTRUSION_OUTPUT_NAMES
    INTRUSION_SHORT_BELOW = _access.INTRUSION_SHORT_BELOW
    INTRUSION_STATE_NAMES = _access.INTRUSION_STATE_NAMES
    INTRUSION_UNBYPASS_BASE = _access.INTRUSION_UNBYPASS_BASE

    ROLE_BLOCKS = (None, GATE, BOLLARD, PANIC, SMOKE) + _access.BLOCKS
    STATE_NAMES = (None, GATE_STATE_NAMES, BOLLARD_STATE_NAMES, PANIC_STATE_NAMES,
                   SMOKE_STATE_NAMES) + _access.BLOCK_STATE_NAMES
    FAULT_NAMES = (None, GATE_FAULT_NAMES, BOLLARD_FAULT_NAMES, PANIC_FAULT_NAMES,
                   SMOKE_FAULT_NAMES, DOOR_FAULT_NAMES, CHECKPOINT_FAULT_NAMES,
                   INTRUSION_FAULT_NAMES)


def role_code(role_name):
    """Role name ("gate", ...) to its code; ValueError for an unknown name."""
    for code in range(1, len(ROLE_NAMES)):
        if ROLE_NAMES[code] == role_name:
            return code
    raise ValueError("unknown role %r" % (role_name,))


def find(block, name):
    """The register tuple called name in block; KeyError when it is not there."""
    for reg in block:
        if reg[NAME] == name:
            return reg
    raise KeyError(name)


def address(block, name):
    return find(block, name)[ADDRESS]


def block_size(block):
    """Registers spanned by block, from its first address to its last."""
    return block[-1][ADDRESS] - block[0][ADDRESS] + 1


def bit_names(value, names):
    """Names of the set bits of value, in bit order."""
    out = []
    for bit in range(len(names)):
        if value & (1 << bit):
            out.append(names[bit])
    return out
