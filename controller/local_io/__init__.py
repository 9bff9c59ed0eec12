"""Guard-room I/O through gpiozero: lockdown key switch, siren/strobe relay, host panic button."""
