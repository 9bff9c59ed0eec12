"""One device's plant: a role's pure model plus the state it is in and the outputs driving it."""

from __future__ import annotations

from types import ModuleType
from typing import Any, Mapping

from protocols import io_points
from sim.errors import InjectError
from sim.plants import bollard, checkpoint, door, gate, input_module, intrusion, panic, smoke
from sim.site_reader import SimDevice

_ROLE_MODELS: dict[str, ModuleType] = {
    "gate": gate,
    "bollard": bollard,
    "panic": panic,
    "smoke": smoke,
    "door": door,
    "intrusion": intrusion,
    "checkpoint": checkpoint,
}
_ROLE_IO = {
    "gate": io_points.GATE_IO,
    "bollard": io_points.BOLLARD_IO,
    "panic": io_points.PANIC_IO,
    "smoke": io_points.SMOKE_IO,
    "door": io_points.DOOR_IO,
    "intrusion": io_points.INTRUSION_IO,
    "checkpoint": io_points.CHECKPOINT_IO,
}


class Plant:
    """Mutable holder around a pure model: the simulator steps it; `state` is a frozen snapshot."""

    def __init__(self, device: SimDevice, kind: str) -> None:
        self.device = device
        self.kind = kind  # "gate", "bollard", "panic", "smoke" or "inputs"
        if kind == "inputs":
            self.model: ModuleType = input_module
            self.params: Any = input_module.params_from_inputs(device.plant, device.inputs)
        else:
            self.model = _ROLE_MODELS[kind]
            plant = {**device.plant, "fail_secure": float(getattr(device, "fail_secure", False))}
            self.params = self.model.params_from_site(plant, device.params)
        self.state: Any = self.model.initial_state(self.params)
        self.outputs: dict[str, int] = self.idle_outputs()

    def idle_outputs(self) -> dict[str, int]:
        """Every output de-energised: what the field wiring sees with the device unpowered."""
        points = _ROLE_IO.get(self.kind, ())
        return {p[io_points.NAME]: p[io_points.IDLE] for p in io_points.outputs(points)}

    def step(self, dt: float) -> None:
        self.state = self.model.step(self.params, self.state, self.outputs, dt)

    def inputs(self) -> dict[str, int]:
        if self.kind == "inputs":
            return {}
        return self.model.read_inputs(self.params, self.state, self.outputs)

    def inject(self, action: str, value: object = None, channel: str | None = None) -> None:
        if self.kind == "inputs":
            if channel is None:
                raise InjectError(
                    f"{self.device.name} is an input module: name the input (e.g. {self.device.name}:0)"
                )
            index = input_module.channel_of(self.params, channel)
            self.state = input_module.inject_channel(self.params, self.state, action, index, value)
            return
        if channel is not None and hasattr(self.model, "inject_at"):
            self.state = self.model.inject_at(self.params, self.state, action, value, channel)
            return
        self.state = self.model.inject(self.params, self.state, action, value)

    def set_output(self, name: str, value: int) -> None:
        if name in self.outputs:
            self.outputs[name] = value

    def snapshot(self) -> Mapping[str, Any]:
        return {
            "kind": self.kind,
            "summary": self.model.summary(self.state),
            "state": dict(self.state.__dict__),
            "outputs": dict(self.outputs),
        }
