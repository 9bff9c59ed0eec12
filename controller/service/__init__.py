"""The host service: runs the buses, devices, policy, store, alarms and the control socket."""
