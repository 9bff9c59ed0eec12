# The field I/O of each role: the terminals of a controller board. One contract for three things:
#   - firmware/board/<board>.py maps each name to a pin (esp32, rp2) or to the sim I/O channel;
#   - sim/ plant models drive the inputs and read the outputs by these names;
#   - hil/wiring/ wires a test rig's pins to the same terminals of a real board.
#
# Each point: (name, kind, idle, doc). kind: "di" digital in, "ai" analogue in (0..4095 counts),
# "do" digital out. idle is the value an unconnected/safe terminal reads or is driven to.
#
# Sim I/O channel (TCP, ASCII lines, "\n"-terminated):
#   plant -> device:  "<input name> <int value>"       sets an input
#   device -> plant:  "<output name> <int value>"      sent on every output change, and for every
#                                                      output right after the connection opens
#   either way:       "?"                               asks the device to resend all outputs
# Unknown names and malformed lines are ignored by the device (and counted), never acted on.

NAME = 0
KIND = 1
IDLE = 2
DOC = 3

# Edge sensor: an 8.2 kOhm end-of-line resistor makes the circuit monitorable (UL 325 monitored
# external device). Read through a divider, the ADC sees about 2048 counts when healthy.
EDGE_PRESSED_BELOW = 600  # contact closes: shorts the resistor
EDGE_OPEN_ABOVE = 3500  # wire cut or resistor missing: monitoring fault
EDGE_HEALTHY = 2048

GATE_IO = (
    ("limit_open", "di", 0, "1 when the gate is fully open"),
    ("limit_closed", "di", 0, "1 when the gate is fully closed"),
    ("photo_eye", "di", 0, "1 when the photo-eye beam is interrupted (or its emitter is off for the test)"),
    ("edge", "ai", EDGE_HEALTHY, "Monitored edge sensor loop: ~2048 healthy, < 600 pressed, > 3500 open circuit"),
    ("loop", "di", 0, "1 when a vehicle stands on the induction loop in the gate's path"),
    ("key_override", "di", 0, "1 while the guard's key switch at the gate is turned"),
    ("button_open", "di", 0, "1 while the local open button is pressed"),
    ("button_close", "di", 0, "1 while the local close button is pressed"),
    ("motor_open", "do", 0, "Drive the gate towards open"),
    ("motor_close", "do", 0, "Drive the gate towards closed"),
    ("lock", "do", 0, "1 engages the electric lock (fail-secure at the gate)"),
    ("warning_light", "do", 0, "Flashing light while the gate moves"),
    ("eye_test", "do", 0, "1 switches the photo-eye emitter off: a healthy eye must then report interrupted"),
)

BOLLARD_IO = (
    ("limit_up", "di", 0, "1 when fully raised"),
    ("limit_down", "di", 0, "1 when fully lowered"),
    ("load", "di", 0, "1 when a load over 40 kg stands on top (pressure mat or load cell comparator)"),
    ("efo_input", "di", 0, "Hard-wired emergency fast operation input from the guard room"),
    ("pump_up", "do", 0, "Hydraulic pump: raise"),
    ("valve_down", "do", 0, "Release valve: lower by gravity"),
    ("efo_valve", "do", 0, "Accumulator valve: emergency fast raise"),
    ("warning_light", "do", 0, "Warning light (lit 1 s before a normal rise and while moving)"),
    ("sounder", "do", 0, "Warning sounder"),
)

PANIC_IO = (
    ("button", "di", 0, "1 while the one-key alarm button is pressed"),
    ("tamper", "di", 0, "1 when the enclosure is open or the tamper loop is cut"),
    ("key_reset", "di", 0, "1 while the reset key at the station is turned"),
    ("led_alarm", "do", 0, "Red: alarm latched"),
    ("led_received", "do", 0, "Green: the guard room has received the alarm"),
    ("buzzer", "do", 0, "Local confirmation tone"),
)

SMOKE_IO = (
    ("sensor", "ai", 400, "Scattered-light sensor, counts: ~400 clean air, +1 count per 0.01 %/m"),
    ("led", "do", 0, "Detector LED (on in alarm, blinks in test)"),
    ("sounder", "do", 0, "Local sounder"),
    ("relay", "do", 0, "Alarm relay contact to the fire panel"),
)

DOOR_IO = (
    ("door_open", "di", 0, "Door position switch: 1 when the door is open"),
    ("rex", "di", 0, "Request-to-exit (button, PIR or the switch in the inside lever): 1 while active"),
    ("button_unlock", "di", 0, "Optional local unlock button (reception desk): 1 while pressed"),
    ("lock_coil", "do", 0, "1 energises the lock: a fail-safe maglock holds, a fail-secure strike releases"),
    ("sounder", "do", 0, "Local door alarm sounder (forced or held open)"),
)

# Wiegand reader lines as pulses: 1 while the line is pulled low (a "0" on D0, a "1" on D1). The sim
# plant slows the bit rate to the firmware's 10 ms input scan (sim/plants/checkpoint.py).
CHECKPOINT_IO = (
    ("d0", "di", 0, "Wiegand DATA0: 1 during a pulse (a 0 bit)"),
    ("d1", "di", 0, "Wiegand DATA1: 1 during a pulse (a 1 bit)"),
    ("tamper", "di", 0, "1 when the reader enclosure is open"),
    ("led", "do", 0, "Reader LED: lit briefly on a good read"),
    ("beeper", "do", 0, "Reader beeper: short beep on a good read, long on a refused frame"),
)

INTRUSION_IO = (
    ("loop1", "ai", 2048, "Detector loop 1 (double end-of-line): ~2048 normal, ~2730 alarm, >3500 cut, <600 short"),
    ("loop2", "ai", 2048, "Detector loop 2, as loop 1"),
    ("siren", "do", 0, "Local siren/strobe"),
    ("led_armed", "do", 0, "Keypad/indicator LED: armed"),
)

ROLE_IO = (None, GATE_IO, BOLLARD_IO, PANIC_IO, SMOKE_IO, DOOR_IO, CHECKPOINT_IO, INTRUSION_IO)


def inputs(points):
    return tuple(p for p in points if p[KIND] != "do")


def outputs(points):
    return tuple(p for p in points if p[KIND] == "do")
