# Modbus PDU codec (Modbus Application Protocol V1.1b3): the function codes CampusGuard devices
# speak. One import for every user; the code lives in small modules so that MicroPython compiles
# each within a small heap, and firmware that only answers requests may import just
# pdu_codes + pdu_request_decode + pdu_reply_encode:
#   pdu_codes           function codes, diagnostics sub-functions, device-id objects, limits
#   pdu_request_decode  slave: decode_request, validated per spec (typed errors -> exception code)
#   pdu_reply_encode    slave: encode_* replies, and *_into variants that allocate nothing
#   pdu_request_encode  master: read_request, write_*_request, diagnostics/device_id requests
#   pdu_reply_decode    master: decode_response
# Pure: no I/O, no clocks. Runs on CPython and MicroPython (no typing/dataclasses/enum).
from protocols.pdu_codes import *  # noqa: F403
from protocols.pdu_reply_decode import *  # noqa: F403
from protocols.pdu_reply_encode import *  # noqa: F403
from protocols.pdu_request_decode import *  # noqa: F403
from protocols.pdu_request_encode import *  # noqa: F403
