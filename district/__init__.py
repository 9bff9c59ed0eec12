"""The district centre: subscribes to every campus uplink (MQTT), stores events in PostgreSQL
(SQLite for a one-machine demo), and serves the district console. See docs/DISTRICT.md."""
