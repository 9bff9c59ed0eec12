# Firmware version: common.fw_version = major * 256 + minor, common.fw_patch = patch, and the
# revision string of Modbus device identification (FC 2B/0E object 2).
FW_MAJOR = 0
FW_MINOR = 1
FW_PATCH = 0
VENDOR = "CampusGuard"


def revision():
    return "%d.%d.%d" % (FW_MAJOR, FW_MINOR, FW_PATCH)


def product_code(role_name):
    return "CG-" + role_name.upper()
