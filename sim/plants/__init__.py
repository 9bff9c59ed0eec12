"""Plant models: the physics each device's field I/O is wired to.

Each role module is a set of pure functions over frozen dataclasses:
    params_from_site(plant, params) -> Params      defaults from /work/shared/STANDARDS.md
    step(params, state, outputs, dt) -> State      outputs: the firmware's output terminals
    read_inputs(params, state, outputs) -> dict    what the firmware's input terminals read
    inject(params, state, action, value) -> State  a person or a fault acting on the plant
Terminal names are those of protocols/io_points.py.
"""
