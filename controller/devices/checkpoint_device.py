"""A patrol checkpoint on the bus: drains its ring of tag reads (protocols/registers_access.py).

Each poll reads the role block (barrier lane); when a read is waiting, it becomes a patrol.read
change (UID, bits, its age at the poll) and the entry's sequence number is written back to drop it.
A read is reported once even when the drop write is lost and the same entry is read again."""

from __future__ import annotations

from controller.bus.link import BusLink
from controller.devices.model import Change
from controller.devices.role_device import RoleDevice, detection_stamp
from protocols import events as E
from protocols import registers as R

ADDR_COMMAND = R.address(R.CHECKPOINT, "command")


class CheckpointDevice(RoleDevice):
    _last_seq: int | None = None

    def set_online(self, online: bool) -> None:
        super().set_online(online)
        if not online:
            self._last_seq = None  # it may reboot: its sequence numbers start again at 1

    async def poll(self, link: BusLink) -> None:
        await super().poll(link)
        entry = self.view.detail.get("entry")
        if not entry:
            return
        if entry["seq"] != self._last_seq:
            self._last_seq = entry["seq"]
            uid = entry["uid"]
            self._sink(self.view, (Change(
                E.PATROL_READ, self.name, self.view.zone, f"tag 0x{uid:X} read at {self.name}",
                {**detection_stamp(), "uid": uid, "bits": entry["bits"], "age_s": entry["age_s"],
                 "seq": entry["seq"]}),))
        await link.write(self.unit, ADDR_COMMAND, (entry["seq"],))
