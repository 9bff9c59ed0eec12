"""Device state: polls decoded into confirmed state, online flag, faults and changes (issue 5 item 3)."""
