"""Per-bus priority scheduler in front of pymodbus (issue 5 item 2)."""
