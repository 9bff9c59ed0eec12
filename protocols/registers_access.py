# Register blocks of the door, patrol checkpoint and intrusion roles: part of the register map of
# protocols/registers.py, which imports every name here on CPython (read the map there). A module of
# its own so the MicroPython firmware loads it only on a device that runs one of these roles.
# Each register: (name, address, access, lo, hi, default, unit, doc), as in registers.py.
# Door controller ----------------------------------------------------------------------------
# Free egress always (NFPA 101 §7.2.1.6): REX releases the lock in every mode, lockdown included,
# and nothing here can hold a door shut against a person leaving. Lockdown only refuses entry.
DOOR_COMMAND_NAMES = ("none", "unlock", "lock", "pulse_unlock", "reset_alarms")
DOOR_STATE_NAMES = ("closed_locked", "closed_unlocked", "open", "held_open", "forced_open")
DOOR_INPUT_NAMES = ("door_open", "rex", "button_unlock")
DOOR_FAULT_NAMES = (
    "io_lost",  # bit 0
    "rex_stuck",  # bit 1: REX held over 60 s (the door stays released: egress first)
)
DOOR_ALARM_NAMES = (
    "forced_open",  # bit 0: opened while locked, without REX or a release: latched until reset
    "held_open",  # bit 1: open longer than held_open_s; ends when the door closes
)
DOOR_OUTPUT_NAMES = ("lock_coil", "sounder")
DOOR_COMM_LOSS_NAMES = ("keep", "lock", "unlock")

DOOR = (
    ("command", 100, "w", 0, 4, 0, "", "1 unlock and hold (schedule window), 2 lock, 3 pulse unlock for unlock_ms, 4 reset alarms; 1 and 3 refused (04) in lockdown, 2 refused (04) on an evacuation route in fire"),
    ("state", 101, "r", 0, 4, 0, "", "See DOOR_STATE_NAMES"),
    ("locked", 102, "r", 0, 1, 0, "", "1 when the lock secures the door against entry"),
    ("inputs", 103, "r", 0, 0xFFFF, 0, "bits", "See DOOR_INPUT_NAMES"),
    ("faults", 104, "r", 0, 0xFFFF, 0, "bits", "See DOOR_FAULT_NAMES"),
    ("outputs", 105, "r", 0, 0xFFFF, 0, "bits", "See DOOR_OUTPUT_NAMES"),
    ("alarms", 106, "r", 0, 0xFFFF, 0, "bits", "See DOOR_ALARM_NAMES"),
    ("held_open_s", 107, "rw", 5, 600, 30, "s", "Open longer than this (unless held unlocked or released by fire) is the held_open alarm (persisted)"),
    ("unlock_ms", 108, "rw", 1000, 30000, 5000, "ms", "Release time of a REX press, a pulse unlock or the local button (persisted)"),
    ("comm_loss_action", 109, "rw", 0, 2, 0, "", "No host: 0 keep as it is, 1 lock (end a held unlock), 2 unlock (persisted)"),
    ("unlock_held", 110, "r", 0, 1, 0, "", "1 while the host holds the door unlocked (schedule window)"),
    ("rex_count", 111, "r", 0, 0xFFFF, 0, "", "REX presses since boot (wrapping)"),
    ("forced_count", 112, "r", 0, 0xFFFF, 0, "", "Forced openings since boot (wrapping)"),
    ("last_release_ms", 113, "r", 0, 0xFFFF, 0, "ms", "REX press to lock released, last press"),
)

# Patrol checkpoint --------------------------------------------------------------------------
# A reader station (Wiegand 26/34 reader) keeps the last CHECKPOINT_RING tag reads; the host reads
# the oldest (entry_*), then writes its entry_seq to the command register to drop it.
CHECKPOINT_RING = 8
CHECKPOINT_STATE_NAMES = ("empty", "reads_waiting")
CHECKPOINT_INPUT_NAMES = ("tamper",)
CHECKPOINT_FAULT_NAMES = (
    "io_lost",  # bit 0
    "ring_overflow",  # bit 1: a read was dropped (ring full); cleared when the ring empties
    "bad_frame",  # bit 2: the last Wiegand frame failed its parity or length check
    "tamper",  # bit 3: reader enclosure opened
)
CHECKPOINT_OUTPUT_NAMES = ("led", "beeper")

CHECKPOINT = (
    ("command", 100, "w", 0, 0xFFFF, 0, "", "Write the oldest entry's entry_seq to drop it from the ring; any other value refused (03)"),
    ("state", 101, "r", 0, 1, 0, "", "See CHECKPOINT_STATE_NAMES"),
    ("ring_count", 102, "r", 0, CHECKPOINT_RING, 0, "", "Tag reads waiting in the ring"),
    ("inputs", 103, "r", 0, 0xFFFF, 0, "bits", "See CHECKPOINT_INPUT_NAMES"),
    ("faults", 104, "r", 0, 0xFFFF, 0, "bits", "See CHECKPOINT_FAULT_NAMES"),
    ("outputs", 105, "r", 0, 0xFFFF, 0, "bits", "See CHECKPOINT_OUTPUT_NAMES"),
    ("entry_seq", 106, "r", 0, 0xFFFF, 0, "", "Sequence number of the oldest read (1..65535, wrapping; 0 = ring empty)"),
    ("entry_uid_hi", 107, "r", 0, 0xFFFF, 0, "", "Oldest read: tag UID, high word (Wiegand 26: facility code; 34: high 16 bits)"),
    ("entry_uid_lo", 108, "r", 0, 0xFFFF, 0, "", "Oldest read: tag UID, low word (card number)"),
    ("entry_bits", 109, "r", 0, 34, 0, "bits", "Oldest read: Wiegand frame length, 26 or 34"),
    ("entry_age_ds", 110, "r", 0, 0xFFFF, 0, "0.1 s", "Oldest read: its age now, tenths of a second (saturates at 6553.5 s)"),
    ("reads_total", 111, "r", 0, 0xFFFF, 0, "", "Good tag reads since boot (wrapping)"),
    ("bad_frames", 112, "r", 0, 0xFFFF, 0, "", "Frames refused (parity, length) since boot (wrapping)"),
)

# Intrusion zone -----------------------------------------------------------------------------
# End-of-line supervised detector loops (double EOL: 4.7 kOhm in series, 4.7 kOhm across the
# contact). Through the reference divider the ADC reads about 2048 counts normal, 2730 in alarm
# (contact open), above INTRUSION_OPEN_ABOVE when the wire is cut, below INTRUSION_SHORT_BELOW
# when shorted: open and short are tamper (Contact ID 137), never a silent normal.
INTRUSION_LOOPS = 2
INTRUSION_SHORT_BELOW = 600
INTRUSION_NORMAL_MAX = 2400  # 600..2400 normal
INTRUSION_OPEN_ABOVE = 3500  # 2400..3500 alarm (contact open)
INTRUSION_LOOP_NORMAL = 2048
INTRUSION_LOOP_ALARM = 2730
INTRUSION_LOOP_STATUS_NAMES = ("normal", "alarm", "open", "short")
INTRUSION_COMMAND_NAMES = ("none", "arm", "disarm", "reset")
INTRUSION_BYPASS_BASE = 0x10  # command 0x10 + n bypasses loop n (0-based); 0x20 + n ends it
INTRUSION_UNBYPASS_BASE = 0x20
INTRUSION_STATE_NAMES = ("disarmed", "armed", "alarm")
INTRUSION_FAULT_NAMES = (
    "io_lost",  # bit 0
    "tamper",  # bit 1: a loop read open or short (wire cut, detector tampered): latched until reset
)
INTRUSION_OUTPUT_NAMES = ("siren", "led_armed")

INTRUSION = (
    ("command", 100, "w", 0, 0x2F, 0, "", "1 arm (refused 04 while a loop that is not bypassed is not normal), 2 disarm, 3 reset latched alarm/tamper, 0x10+n bypass loop n, 0x20+n end the bypass"),
    ("state", 101, "r", 0, 2, 0, "", "See INTRUSION_STATE_NAMES"),
    ("armed", 102, "r", 0, 1, 0, "", "1 while armed (also in alarm)"),
    ("loop_status", 103, "r", 0, 0xFFFF, 0, "", "2 bits per loop (loop n at bits 2n..2n+1): see INTRUSION_LOOP_STATUS_NAMES"),
    ("faults", 104, "r", 0, 0xFFFF, 0, "bits", "See INTRUSION_FAULT_NAMES"),
    ("outputs", 105, "r", 0, 0xFFFF, 0, "bits", "See INTRUSION_OUTPUT_NAMES"),
    ("alarm_loops", 106, "r", 0, 0xFFFF, 0, "bits", "Loops that tripped while armed (latched until disarm or reset)"),
    ("bypassed", 107, "r", 0, 0xFFFF, 0, "bits", "Loops bypassed by the host (an authorised operator)"),
    ("alarm_count", 108, "r", 0, 0xFFFF, 0, "", "Burglary alarms since boot (wrapping)"),
    ("siren_s", 109, "rw", 0, 900, 180, "s", "Local siren time after an alarm; 0 = silent alarm (persisted)"),
    ("loop1_counts", 110, "r", 0, 4095, 0, "counts", "Loop 1 raw ADC reading"),
    ("loop2_counts", 111, "r", 0, 4095, 0, "counts", "Loop 2 raw ADC reading"),
    ("last_reaction_ms", 112, "r", 0, 0xFFFF, 0, "ms", "Loop change to alarm latched, last alarm"),
)

# In role-code order from ACCESS_FIRST_ROLE (5): read by firmware/core/register_map.py.
BLOCKS = (DOOR, CHECKPOINT, INTRUSION)
BLOCK_STATE_NAMES = (DOOR_STATE_NAMES, CHECKPOINT_STATE_NAMES, INTRUSION_STATE_NAMES)
