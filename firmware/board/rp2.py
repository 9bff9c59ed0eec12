# RP2040 reference board (Raspberry Pi Pico). RS-485 transceiver on UART0 (GP0 TX, GP1 RX) with
# DE/RE on GP2; ADC on GP26/GP27. A role's I/O points take these terminals in io_points.py order.
from board.pin_board import PinBoard

NAME = "rp2"


class Board(PinBoard):
    name = NAME
    UART_ID = 0
    TX = 0
    RX = 1
    DE = 2
    DI = (6, 7, 8, 9, 10, 11, 12, 13)  # DI1..DI8
    AI = (26, 27)  # AI1..AI2 (ADC0, ADC1)
    DO = (16, 17, 18, 19, 20)  # DO1..DO5
