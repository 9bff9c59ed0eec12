"""Buses behind RS-485-to-Ethernet gateways: Modbus TCP and RTU over TCP, and their timing model.

  tcp://host:port     Modbus TCP (MBAP framing) through pymodbus AsyncModbusTcpClient. The gateway
                      turns each request into an RTU frame on its RS-485 side and keeps t3.5 there,
                      so this link does not wait for silence itself.
  socket://host:port  RTU over TCP (a transparent gateway): BusLink as is, pyserial's socket://
                      handler carries the RTU frames, and this host keeps RTU framing and t3.5.

GatewayTiming: the RS-485 side behind the gateway costs what a serial bus of that baud costs
(BusTiming), plus the network both ways (`network_s`, a LAN round trip with margin for a
gateway's store-and-forward); timeouts grow by the same amount. A gateway that cannot reach the
device answers exception 0x0A/0x0B: that is a DeviceTimeout (no answer), not a refusal.
make_link() picks the link from the port URL, so the scheduler above is the same for all three.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import urlsplit

from pymodbus.client import AsyncModbusTcpClient
from pymodbus.exceptions import ModbusException

from controller.bus.errors import BusUnavailable, DeviceRefused, DeviceTimeout
from controller.bus.link import BusLink
from controller.bus.timing import BusTiming

GATEWAY_PATH_UNAVAILABLE = 0x0A
GATEWAY_NO_RESPONSE = 0x0B


@dataclass(frozen=True)
class GatewayTiming(BusTiming):
    network_s: float = 0.010  # LAN round trip + the gateway's own forwarding, with margin

    def timeout_s(self, request_bytes: int, response_bytes: int) -> float:
        return super().timeout_s(request_bytes, response_bytes) + self.network_s

    def expected_transaction_s(self, request_bytes: int, response_bytes: int, device_s: float) -> float:
        return super().expected_transaction_s(request_bytes, response_bytes, device_s) + self.network_s

    def broadcast_gap_s(self, request_bytes: int) -> float:
        return super().broadcast_gap_s(request_bytes) + self.network_s / 2


def _host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if not parts.hostname or not parts.port:
        raise BusUnavailable(f"gateway address {url!r} is not tcp://host:port. "
                             "Fix: give the gateway's host and port in the site file")
    return parts.hostname, parts.port


class TcpBusLink(BusLink):
    """A Modbus TCP master to one gateway; the same read/write/broadcast as BusLink."""

    async def _wait_quiet(self) -> None:
        return None  # the gateway keeps t3.5 on its RS-485 side

    def _line_busy_until(self, extra_s: float = 0.0) -> None:
        return None

    async def open(self) -> None:
        self.close()
        host, port = _host_port(self.port)
        client = AsyncModbusTcpClient(host, port=port, timeout=1.0, retries=0, reconnect_delay=0,
                                      name=f"bus-{self.name}")
        try:
            ok = await asyncio.wait_for(client.connect(), timeout=2.0)
        except (OSError, asyncio.TimeoutError, ModbusException) as exc:
            client.close()
            raise BusUnavailable(f"bus {self.name!r}: cannot reach gateway {self.port}: {exc}. "
                                 "Fix: check the gateway's power, network and address") from exc
        if not ok:
            client.close()
            raise BusUnavailable(f"bus {self.name!r}: cannot reach gateway {self.port}. "
                                 "Fix: check the gateway's power, network and address")
        self._client = client  # type: ignore[assignment]

    async def _execute(self, call, timeout_s: float, what: str, expect: str | None = None):
        try:
            return await super()._execute(call, timeout_s, what, expect)
        except DeviceRefused as exc:
            if exc.code in (GATEWAY_PATH_UNAVAILABLE, GATEWAY_NO_RESPONSE):
                raise DeviceTimeout(f"bus {self.name!r}: {what}: the gateway got no answer "
                                    f"(exception {exc.code})") from exc
            raise

    async def broadcast(self, address: int, value: int) -> None:
        client = self._ready()
        try:
            await asyncio.wait_for(client.write_register(address, value, device_id=0,
                                                         no_response_expected=True),
                                   self.timing.timeout_s(8, 8))
        except (asyncio.TimeoutError, ModbusException, OSError) as exc:
            raise BusUnavailable(f"bus {self.name!r}: broadcast could not be sent to gateway "
                                 f"{self.port}: {exc}") from exc
        # the gateway puts it on its line: give every device its wire time and settle time
        await asyncio.sleep(self.timing.broadcast_gap_s(8))


def make_link(name: str, port: str, baud: int, parity: str = "N", stopbits: int = 1,
              turnaround_s: float | None = None) -> BusLink:
    """tcp:// -> Modbus TCP gateway; socket:// -> RTU over TCP gateway; else a serial port."""
    kind = GatewayTiming if port.startswith(("tcp://", "socket://")) else BusTiming
    timing = kind(baud) if turnaround_s is None else kind(baud, turnaround_s)
    link_class = TcpBusLink if port.startswith("tcp://") else BusLink
    return link_class(name, port, baud, parity, stopbits, timing)
