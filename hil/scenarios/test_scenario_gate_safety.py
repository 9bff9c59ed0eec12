"""UL 325: an obstruction while the gate closes stops it and reverses it within 2 s."""

import asyncio
import time

UL325_REVERSAL_S = 2.0


async def test_obstruction_reverses_within_ul325(campus):
    gate = campus.names("gate")[0]
    await campus.target.place(gate, 1.0)  # start open
    await asyncio.sleep(1.0)  # the firmware sees limit_open and the host polls it
    started = time.monotonic()
    await campus.host.lockdown("HIL: close the gate onto an obstruction")
    closing = await campus.target.wait_output(gate, "motor_close", 1, started, 10.0)
    assert closing is not None, "the gate never started closing"
    await asyncio.sleep(0.2)
    sensed = await campus.target.obstruct(gate, True)
    stopped = await campus.target.wait_output(gate, "motor_close", 0, sensed, UL325_REVERSAL_S)
    reversing = await campus.target.wait_output(gate, "motor_open", 1, sensed, UL325_REVERSAL_S)
    assert stopped is not None and reversing is not None, "no stop-and-reverse within 2 s (UL 325)"
    assert reversing - sensed < UL325_REVERSAL_S
    assert stopped <= reversing, "the motor must stop before it reverses"
    state = campus.target.plant_state(gate) if hasattr(campus.target, "plant_state") else {}
    assert state.get("both_driven_s", 0.0) == 0.0, "motor driven both ways at once"
