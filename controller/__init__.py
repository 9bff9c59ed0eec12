"""The guard-room host: site file, bus scheduler, policy engine, event store, alarm transmission,
local I/O, service and CLI. Imports only go down: controller -> protocols."""
