"""Priority lanes of a bus: a lower number is served first."""

from enum import IntEnum


class Lane(IntEnum):
    LIFE_SAFETY = 0  # lockdown / fire / mode commands and their verification: before anything else
    ALARM_POLL = 1  # panic stations, panic input modules, smoke detectors: every priority cycle
    BARRIER_POLL = 2  # gates and bollards: one device per priority cycle, round robin
    DIAGNOSTICS = 3  # heartbeat, provisioning, re-probing offline devices, technician reads
