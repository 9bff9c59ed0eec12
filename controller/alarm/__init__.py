"""Alarm transmission to the police alarm receiving centre over SIA DC-09 (issue 7).

AlarmService (service.py) is the API for the host: a durable SQLite outbox, dual-path delivery to
primary/backup receivers over TCP or UDP, supervision, and path-loss trouble events.
"""
