# Every role boots on the real MicroPython unix port and answers pymodbus (RTU over socket://):
# identification, diagnostics, its registers, and the exception rules of registers.py.
import pytest
from pymodbus.exceptions import ModbusIOException
from pymodbus.pdu import ExceptionResponse

from protocols import registers as R

pytestmark = pytest.mark.micropython

ROLES = ("gate", "bollard", "panic", "smoke", "door", "intrusion", "checkpoint")


def _common(fw, name):
    client = fw.modbus()
    r = client.read_holding_registers(R.address(R.COMMON, name), count=1, device_id=fw.unit)
    assert not r.isError(), r
    return r.registers[0]


@pytest.mark.parametrize("role", ROLES)
def test_firmware_role_boots_and_answers_identification_and_registers(firmware, role):
    fw = firmware(role, unit=7)
    client = fw.modbus()
    ident = client.read_device_information(device_id=7)
    assert not ident.isError(), ident
    common = client.read_holding_registers(0, count=28, device_id=7)
    assert not common.isError(), common
    regs = common.registers
    version = regs[R.address(R.COMMON, "fw_version")]
    patch = regs[R.address(R.COMMON, "fw_patch")]
    assert ident.information[0] == b"CampusGuard"
    assert ident.information[1] == ("CG-" + role.upper()).encode()
    assert ident.information[2] == b"%d.%d.%d" % (version >> 8, version & 0xFF, patch)
    assert regs[R.address(R.COMMON, "role")] == R.role_code(role)
    assert (regs[3] << 16 | regs[4]) == 12345
    assert regs[R.address(R.COMMON, "active_unit")] == 7
    assert regs[R.address(R.COMMON, "reset_cause")] == 1  # power_on
    heap_free = regs[R.address(R.COMMON, "heap_free")] * 16
    assert heap_free >= 8192, f"only {heap_free} bytes of heap free after boot"
    assert not regs[R.address(R.COMMON, "fault_flags")], "a fresh boot reports faults"
    block = R.ROLE_BLOCKS[R.role_code(role)]
    role_regs = client.read_holding_registers(R.ROLE_BASE, count=R.block_size(block), device_id=7)
    assert not role_regs.isError(), role_regs
    for reg in block:
        if reg[R.ACCESS] == "rw":
            assert role_regs.registers[reg[R.ADDRESS] - R.ROLE_BASE] == reg[R.DEFAULT], reg[R.NAME]
    assert role_regs.registers[1] == regs[R.address(R.COMMON, "state")], "common.state mirrors state"
    # FC 04 reads the same bank.
    same = client.read_input_registers(0, count=3, device_id=7)
    assert same.registers == regs[:3]


def test_firmware_diagnostics_echo_and_counters(firmware):
    fw = firmware("panic")
    client = fw.modbus()
    echo = client.diag_query_data(msg=b"\x12\x34", device_id=1)
    assert not echo.isError() and echo.message == b"\x12\x34"
    for _ in range(3):
        client.read_holding_registers(0, count=1, device_id=1)
    with pytest.raises(ModbusIOException):  # another unit's message: seen on the bus, not answered
        client.read_holding_registers(0, count=1, device_id=9)
    server = client.diag_read_device_message_count(device_id=1)
    bus = client.diag_read_bus_message_count(device_id=1)
    # echo + 3 reads + this query = 5 to us; the bus also saw unit 9's frame and the bus query
    assert server.message == 5 and bus.message == 7
    client.write_register(R.address(R.COMMON, "role"), 1, device_id=1)  # exception 02
    assert client.diag_read_bus_exception_error_count(device_id=1).message >= 1
    client.diag_clear_counters(device_id=1)
    assert client.diag_read_bus_message_count(device_id=1).message <= 1


def test_firmware_write_rules_exception_03_out_of_range_02_read_only(firmware):
    fw = firmware("gate")
    client = fw.modbus()
    travel = R.address(R.GATE, "travel_timeout_s")
    low = client.write_register(travel, 4, device_id=1)
    assert isinstance(low, ExceptionResponse) and low.exception_code == 3
    high = client.write_register(travel, 121, device_id=1)
    assert isinstance(high, ExceptionResponse) and high.exception_code == 3
    assert client.read_holding_registers(travel, count=1, device_id=1).registers == [30], "clamped"
    ro = client.write_register(R.address(R.GATE, "state"), 1, device_id=1)
    assert isinstance(ro, ExceptionResponse) and ro.exception_code == 2
    gap = client.read_holding_registers(40, count=2, device_id=1)
    assert isinstance(gap, ExceptionResponse) and gap.exception_code == 2
    bad_baud = client.write_register(R.address(R.COMMON, "config_baud"), 100, device_id=1)
    assert isinstance(bad_baud, ExceptionResponse) and bad_baud.exception_code == 3
    # A multiple write with one bad value changes nothing.
    multi = client.write_registers(R.address(R.COMMON, "comm_loss_timeout_s"), [60, 9], device_id=1)
    assert isinstance(multi, ExceptionResponse) and multi.exception_code == 3
    assert _common(fw, "comm_loss_timeout_s") == 30
    ok = client.write_register(travel, 45, device_id=1)
    assert not ok.isError()
    coils = client.read_coils(0, count=1, device_id=1)
    assert isinstance(coils, ExceptionResponse) and coils.exception_code == 1


def test_firmware_broadcast_mode_is_acted_on_without_reply(firmware):
    from firmware_process import read_reply, transact

    fw = firmware("gate")
    sock = fw.raw()
    mode = R.address(R.COMMON, "mode")
    reply = transact(sock, 0, bytes([6, 0, mode, 0, R.MODE_LOCKDOWN]), timeout=0.3)
    assert reply == b"", "a broadcast must never be answered"
    sock.sendall(__import__("protocols.rtu", fromlist=["x"]).build_adu(1, bytes([3, 0, mode, 0, 1])))
    reply = read_reply(sock)
    assert reply[3:5] == bytes([0, R.MODE_LOCKDOWN])
    sock.close()


def test_firmware_other_slaves_replies_do_not_hide_the_next_request(firmware):
    """On a shared bus a slave hears its neighbours' replies; a request right behind one (no
    silence to spare) must still be answered."""
    from firmware_process import read_reply

    from protocols import rtu

    fw = firmware("smoke")
    sock = fw.raw()
    neighbour_reply = rtu.build_adu(5, bytes([3, 20]) + bytes(range(20)))
    neighbour_exception = rtu.build_adu(6, bytes([0x83, 2]))
    request = rtu.build_adu(1, bytes([3, 0, 0, 0, 2]))
    sock.sendall(neighbour_reply + neighbour_exception + request)
    reply = read_reply(sock)
    assert len(reply) == 9 and reply[0] == 1, reply
    sock.close()
