"""An RTU framer for pymodbus that hunts for the response inside noise.

pymodbus 3.16's FramerRTU decodes from the first byte that looks like a PDU; when that candidate
fails its CRC it discards the WHOLE buffer, the real response after the garbage included, and the
transaction times out. On a line with byte noise (EMI, a stub, a bad termination) a few garbage
characters before the reply are common, so that cost one timeout per garbled poll. This framer
tries every offset and accepts the first candidate whose CRC checks (a false match of CRC-16 on
garbage is 1 in 65536 per candidate, and the transaction still checks unit and function); it
keeps the buffer and waits for more bytes otherwise.
"""

from __future__ import annotations

from pymodbus.framer.rtu import FramerRTU


class HuntingFramerRTU(FramerRTU):
    def decode(self, data: bytes) -> tuple[int, int, int, bytes]:
        length = len(data)
        for offset in range(0, length - self.MIN_SIZE + 1):
            candidate = data[offset:]
            pdu_class = self.decoder.lookupPduClass(candidate)
            if not pdu_class:
                continue
            size = pdu_class.calculateRtuFrameSize(candidate)
            if not size or length < offset + size:
                continue
            crc_start = offset + size - 2
            crc = (data[crc_start] << 8) + data[crc_start + 1]
            if self.check_CRC(data[offset:crc_start], crc):
                return offset + size, int(data[offset]), 0, data[offset + 1:crc_start]
        return 0, 0, 0, self.EMPTY
