"""Where the devices are: the simulator or real hardware. Scenarios are written once against
Target (target.py) and run on either (sim_target.py, hardware_target.py)."""
