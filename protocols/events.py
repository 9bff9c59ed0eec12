# The event vocabulary: every kind of record the host stores, shows and reports.
# One name per kind, "<family>.<what>", used by the policy engine, the event store, the CLI
# (`campusguard events --kind`), the alarm mapping to SIA DC-09/Contact ID and the benchmarks.
# Plain strings (no enum) so this module also runs on MicroPython.

# Panic stations and panic inputs of third-party modules
PANIC_ALARM = "panic.alarm"  # a press latched at a station (GB 50394: latches until reset by hand)
PANIC_ACK = "panic.ack"  # the host told the station the alarm was received
PANIC_RESET = "panic.reset"  # key reset at the station, or an authorised host reset

# Smoke detection and fire
SMOKE_PREALARM = "smoke.prealarm"
SMOKE_ALARM = "smoke.alarm"  # a detector in alarm (after its own verification time)
SMOKE_CLEAR = "smoke.clear"
FIRE_CONFIRMED = "fire.confirmed"  # the policy's decision that there is a fire: egress opens
FIRE_CONFIRM_PENDING = "fire.confirm_pending"  # one detector during lockdown: waiting for a second or a guard
FIRE_CLEARED = "fire.cleared"

# Lockdown
LOCKDOWN_SET = "lockdown.set"
LOCKDOWN_CLEAR_PENDING = "lockdown.clear_pending"  # first of two guards asked to clear
LOCKDOWN_CLEAR = "lockdown.clear"
LOCKDOWN_CLEAR_REFUSED = "lockdown.clear_refused"

# Drills (actuate devices, never raise a real police alarm)
DRILL_START = "drill.start"
DRILL_END = "drill.end"

# Trouble (NFPA 72: indicated within 200 s; we aim for seconds)
TROUBLE_OFFLINE = "trouble.offline"
TROUBLE_FAULT = "trouble.fault"
TROUBLE_TAMPER = "trouble.tamper"
TROUBLE_MONITORING = "trouble.monitoring"  # UL 325 entrapment-protection monitoring failed
TROUBLE_BUS = "trouble.bus"  # a serial port vanished or a bus is unusable
TROUBLE_RESTORE = "trouble.restore"

# Devices and commands
DEVICE_ONLINE = "device.online"
DEVICE_STATE = "device.state"  # confirmed physical state changed
COMMAND_SENT = "command.sent"
COMMAND_CONFIRMED = "command.confirmed"  # the device reported the commanded state
COMMAND_FAILED = "command.failed"

# People and rules
OPERATOR_ACTION = "operator.action"  # every guard/supervisor action, with user, role and reason
POLICY_DECISION = "policy.decision"  # why the policy did what it did
SCHEDULE_START = "schedule.start"
SCHEDULE_END = "schedule.end"
AUTH_FAILED = "auth.failed"  # a wrong password or PIN, or an unknown/disabled operator
AUTH_RATE_LIMITED = "auth.rate_limited"  # a check refused unseen: too many failures (operator or client)

# Alarm transmission to the alarm receiving centre (SIA DC-09)
ALARM_QUEUED = "alarm.queued"
ALARM_SENT = "alarm.sent"
ALARM_ACKED = "alarm.acked"
ALARM_FAILED = "alarm.failed"
ALARM_PATH_LOST = "alarm.path_lost"
ALARM_PATH_RESTORED = "alarm.path_restored"

# Host service
SERVICE_START = "service.start"
SERVICE_STOP = "service.stop"

ALL_KINDS = (
    PANIC_ALARM, PANIC_ACK, PANIC_RESET,
    SMOKE_PREALARM, SMOKE_ALARM, SMOKE_CLEAR, FIRE_CONFIRMED, FIRE_CONFIRM_PENDING, FIRE_CLEARED,
    LOCKDOWN_SET, LOCKDOWN_CLEAR_PENDING, LOCKDOWN_CLEAR, LOCKDOWN_CLEAR_REFUSED,
    DRILL_START, DRILL_END,
    TROUBLE_OFFLINE, TROUBLE_FAULT, TROUBLE_TAMPER, TROUBLE_MONITORING, TROUBLE_BUS, TROUBLE_RESTORE,
    DEVICE_ONLINE, DEVICE_STATE, COMMAND_SENT, COMMAND_CONFIRMED, COMMAND_FAILED,
    OPERATOR_ACTION, POLICY_DECISION, SCHEDULE_START, SCHEDULE_END, AUTH_FAILED, AUTH_RATE_LIMITED,
    ALARM_QUEUED, ALARM_SENT, ALARM_ACKED, ALARM_FAILED, ALARM_PATH_LOST, ALARM_PATH_RESTORED,
    SERVICE_START, SERVICE_STOP,
)


def family(kind):
    """"panic" for "panic.alarm"."""
    dot = kind.find(".")
    return kind if dot < 0 else kind[:dot]
