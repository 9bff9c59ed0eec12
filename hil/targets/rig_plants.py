"""The simulator's plant models run on the rig against a real board.

Each bench device gets the same pure plant model the simulator uses (sim/plants/): every
settle_s the rig reads the board's outputs from its pins, steps the model, and drives the board's
inputs from what the model says the limit switches, photo-eye, sensor... read. A scenario acts on
the plant (press, smoke, obstruct, load) exactly as on the simulator.
"""

from __future__ import annotations

import asyncio
import importlib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from hil.targets.rig import Rig

_ROLES_WITH_PLANTS = ("gate", "bollard", "panic", "smoke")


@dataclass
class _PlantSlot:
    module: ModuleType
    params: Any
    state: Any


class RigPlants:
    def __init__(self, rig: Rig, devices: Mapping[str, tuple[str, dict, dict]], period_s: float):
        """devices: name -> (role, [devices.plant], [devices.params]) from the site file."""
        self._rig = rig
        self._period_s = period_s
        self._slots: dict[str, _PlantSlot] = {}
        for name, (role, plant, params) in devices.items():
            if role not in _ROLES_WITH_PLANTS:
                continue
            module = importlib.import_module("sim.plants.%s" % role)
            plant_params = module.params_from_site(plant, params)
            self._slots[name] = _PlantSlot(module, plant_params, module.initial_state(plant_params))
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        for name in self._slots:
            self._push(name)
        self._task = asyncio.get_running_loop().create_task(self._run(), name="rig-plants")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    def inject(self, device: str, action: str, value: object = None) -> float:
        slot = self._slots[device]
        slot.state = slot.module.inject(slot.params, slot.state, action, value)
        self._push(device)
        return time.monotonic()

    def summary(self, device: str) -> str:
        slot = self._slots[device]
        return slot.module.summary(slot.state)

    def _push(self, device: str) -> None:
        slot = self._slots[device]
        outputs = self._rig.outputs(device)
        for terminal, value in slot.module.read_inputs(slot.params, slot.state, outputs).items():
            if self._rig.wired(device, terminal):
                self._rig.drive(device, terminal, value)

    async def _run(self) -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(self._period_s)
            now = time.monotonic()
            dt, last = now - last, now
            for name, slot in self._slots.items():
                slot.state = slot.module.step(slot.params, slot.state, self._rig.outputs(name), dt)
                self._push(name)
