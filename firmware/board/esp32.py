# ESP32 reference board (ESP32-WROOM-32). RS-485 transceiver (MAX3485-class) on UART2 with its
# DE/RE pins tied to GPIO4. Strapping pins (0, 2, 5, 12, 15) are left free; ADC on ADC1 only
# (ADC2 is unusable while Wi-Fi runs). A role's I/O points take these terminals in the order
# protocols/io_points.py lists them (see firmware/README.md for the per-role table).
from board.pin_board import PinBoard

NAME = "esp32"


class Board(PinBoard):
    name = NAME
    UART_ID = 2
    TX = 17
    RX = 16
    DE = 4
    DI = (32, 33, 25, 26, 27, 14, 13, 39)  # DI1..DI8, opto-isolated 24 V inputs
    AI = (34, 35)  # AI1..AI2 (input-only ADC1 pins): edge loop, smoke sensor
    DO = (19, 18, 21, 22, 23)  # DO1..DO5, relay/MOSFET drivers
