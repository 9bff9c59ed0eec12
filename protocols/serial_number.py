# A device's serial number, derived from its site and name: CRC-32 (IEEE, as zlib) of
# "<site name>/<device name>" in UTF-8. The simulator provisions its devices with it and
# `campusguard flash` writes it to a board, so one site file gives one serial per device either way.
# binascii.crc32 is zlib's CRC-32 on CPython and on the MicroPython ports that have it.
import binascii


def serial_number(site_name, device_name):
    """The 32-bit serial (0..0xFFFFFFFF) of device_name on site_name ("" for no site)."""
    return binascii.crc32(("%s/%s" % (site_name, device_name)).encode()) & 0xFFFFFFFF
