"""The campus uplink (issue 17): the host publishes its state, every event and every alarm to the
district's MQTT broker, from a durable outbox (rule 19), so nothing is lost whatever the broker
does. Topics and payloads: topics.py and docs/DISTRICT.md.

    uplink = Uplink(config, state_dir, events_db, status=host.status)
    await uplink.start(); ...; await uplink.stop()
"""
