"""The diag commands themselves: each takes an open ModbusMaster and returns a plain dict (the
--json output); diag_render.py turns the same dicts into text for a person."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable

from controller.field import register_catalog as catalog
from controller.field.bus_target import BusTarget
from controller.field.errors import NoDevice, NotConfirmed, UsageError, WrongBaud
from controller.field.identify import Identity, identify, read_point
from controller.field.modbus_master import (
    ModbusMaster,
    NoAnswer,
    explain_exception,
    explain_no_answer,
)
from controller.field.profile_catalog import decode, find_point, profile_by_name
from controller.profiles.third_party import Profile
from protocols import pdu
from protocols import registers as R
from protocols.errors import ExceptionResponse

COUNTERS = (
    ("bus_messages", pdu.DIAG_BUS_MESSAGE_COUNT),
    ("bus_comm_errors", pdu.DIAG_BUS_COMM_ERROR_COUNT),
    ("bus_exceptions", pdu.DIAG_BUS_EXCEPTION_COUNT),
    ("server_messages", pdu.DIAG_SERVER_MESSAGE_COUNT),
    ("server_no_response", pdu.DIAG_SERVER_NO_RESPONSE_COUNT),
    ("server_nak", pdu.DIAG_SERVER_NAK_COUNT),
    ("server_busy", pdu.DIAG_SERVER_BUSY_COUNT),
    ("bus_char_overrun", pdu.DIAG_BUS_CHAR_OVERRUN_COUNT),
)


def _device_name(target: BusTarget, unit: int) -> str:
    expected = target.expected_at(unit)
    return expected.name if expected else ""


def require(master: ModbusMaster, unit: int, call: Callable, what: str):
    """Run one request; turn its failure into the typed error a person can act on."""
    try:
        return call()
    except NoAnswer as exc:
        raise explain_no_answer(master, unit, exc.outcome) from None
    except ExceptionResponse as exc:
        raise explain_exception(exc, what) from None


def who(master: ModbusMaster, unit: int, profile: Profile | None) -> Identity:
    return require(master, unit, lambda: identify(master, unit, profile),
                   "identification of unit %d" % unit)


# ---------------------------------------------------------------- scan
def scan(master: ModbusMaster, target: BusTarget, units: Iterable[int],
         profile: Profile | None, progress: Callable[[int, int, int], None]) -> dict:
    """Ask every address once (FC 03, register 0: every device has something there or answers
    with an exception); identify those that answer. If the bus lost any frame meanwhile (a unit
    that answered once then timed out, or garbled bytes), ask the silent addresses a second time:
    a clean bus costs one pass, a lossy one two, and one lost probe never hides a unit."""
    units = list(units)
    found: list[dict] = []
    garbled = 0
    retries = master.retries
    lost_before = master.stats.total.timeouts
    todo = units
    passes = 0
    for passes in (1, 2):
        silent = []
        for i, unit in enumerate(todo):
            progress(i, len(todo), len(found))
            master.retries = 0
            try:
                master.read_registers(unit, 0, 1)
            except ExceptionResponse:
                pass  # it answered: someone is there (a device without register 0)
            except NoAnswer as exc:
                garbled += exc.outcome.kind != "timeout"
                silent.append(unit)
                continue
            finally:
                master.retries = retries
            try:
                ident = identify(master, unit, profile)
            except NoAnswer:
                ident = Identity(unit, "", "unknown (stopped answering)", "", 0, "")
            found.append({**ident.as_dict(), "name": _device_name(target, unit)})
        progress(len(todo), len(todo), len(found))
        silent_timeouts = len(silent) - garbled
        lost = master.stats.total.timeouts - lost_before - silent_timeouts
        if not silent or (lost <= 0 and not garbled) or passes == 2:
            break
        todo = silent
    found.sort(key=lambda d: d["unit"])
    seen = {d["unit"] for d in found}
    missing = [{"unit": d.unit, "name": d.name, "role": d.role}
               for d in target.expected if d.unit not in seen and d.unit in units]
    return {"ok": True, "port": master.settings.port, "baud": master.settings.baud,
            "bus": target.bus, "scanned": len(units), "passes": passes, "devices": found,
            "missing": missing, "garbled_answers": garbled}


# ---------------------------------------------------------------- info
def info(master: ModbusMaster, target: BusTarget, unit: int, profile: Profile | None) -> dict:
    ident = who(master, unit, profile)
    out = {"ok": True, "unit": unit, "name": _device_name(target, unit), **ident.as_dict()}
    if not ident.role:
        out["points"] = _read_profile_points(master, unit, ident, profile)
        return out
    size = max(r[R.ADDRESS] for r in R.COMMON) + 1
    values = require(master, unit, lambda: master.read_registers(unit, 0, size),
                     "reading the common block")
    regs = {reg.name: values[reg.address] for reg in catalog.common_registers()}
    role = ident.role
    out.update({
        "fw_version": "%d.%d.%d" % (regs["fw_version"] >> 8, regs["fw_version"] & 0xFF,
                                    regs["fw_patch"]),
        "serial": (regs["serial_hi"] << 16) | regs["serial_lo"],
        "uptime_s": (regs["uptime_hi"] << 16) | regs["uptime_lo"],
        "reset_cause": catalog.decode(role, catalog.find_register(role, "reset_cause"),
                                      regs["reset_cause"]),
        "fault_flags": R.bit_names(regs["fault_flags"], R.COMMON_FAULT_NAMES),
        "mode": catalog.decode(role, catalog.find_register(role, "mode"), regs["mode"]),
        "site_flags": R.bit_names(regs["site_flags"], R.SITE_FLAG_NAMES),
        "active_unit": regs["active_unit"],
        "active_baud": regs["active_baud"] * 100,
        "comm_loss_timeout_s": regs["comm_loss_timeout_s"],
        "heap_free_bytes": regs["heap_free"] * 16,
        "state": catalog.decode(role, catalog.find_register(role, "common.state"), regs["state"]),
        "event_counter": regs["event_counter"],
        "fault_log": read_fault_log(master, unit, role, regs["fault_log_count"]),
    })
    return out


def read_fault_log(master: ModbusMaster, unit: int, role: int, count: int) -> list[dict]:
    """Entries newest first. Selecting an entry is a write to common.fault_log_select: harmless,
    it only chooses what the three read-only fault_log_* registers show."""
    select = R.address(R.COMMON, "fault_log_select")
    code_addr = R.address(R.COMMON, "fault_log_code")
    entries = []
    for index in range(min(count, 16)):
        require(master, unit, lambda i=index: master.write_register(unit, select, i),
                "selecting fault log entry")
        code, hi, lo = require(master, unit, lambda: master.read_registers(unit, code_addr, 3),
                               "reading the fault log")
        block, bit = code >> 4, code & 0x0F
        names = R.COMMON_FAULT_NAMES if block == 0 else (R.FAULT_NAMES[role] or ())
        fault = names[bit] if bit < len(names) else "bit %d" % bit
        entries.append({"index": index, "code": code,
                        "block": "common" if block == 0 else R.ROLE_NAMES[role],
                        "fault": fault, "uptime_s": (hi << 16) | lo})
    return entries


def _read_profile_points(master, unit, ident: Identity, profile: Profile | None) -> list[dict]:
    prof = profile or (profile_by_name(ident.profile) if ident.profile else None)
    if prof is None:
        return []
    out = []
    for point in prof.points:
        raw = require(master, unit, lambda p=point: read_point(master, unit, p),
                      "reading %s" % point.name)
        out.append({"name": point.name, "raw": raw, "value": decode(point, raw),
                    "unit": point.unit, "meaning": point.meaning})
    return out


# ---------------------------------------------------------------- counters
def counters(master: ModbusMaster, unit: int, clear: bool) -> dict:
    def read_all() -> dict:
        return {name: require(master, unit, lambda s=sub: master.diagnostic(unit, s),
                              "FC 08 diagnostics sub-function 0x%02X" % sub)
                for name, sub in COUNTERS}

    before = read_all()
    out = {"ok": True, "unit": unit, "counters": before}
    if clear:
        require(master, unit, lambda: master.diagnostic(unit, pdu.DIAG_CLEAR_COUNTERS),
                "clearing the counters")
        out["cleared"] = True
        out["after_clear"] = read_all()
    return out


# ---------------------------------------------------------------- watch
def snapshot(master: ModbusMaster, unit: int, ident: Identity, profile: Profile | None) -> dict:
    """One decoded view of the role block plus the common status registers."""
    rows = []
    if ident.role:
        role = ident.role
        block = R.ROLE_BLOCKS[role]
        first = block[0][R.ADDRESS]
        values = require(master, unit,
                         lambda: master.read_registers(unit, first, R.block_size(block)),
                         "reading the %s block" % R.ROLE_NAMES[role])
        status = require(master, unit, lambda: master.read_registers(unit, 5, 5),
                         "reading the common status")
        for reg in catalog.role_registers(role):
            value = values[reg.address - first]
            rows.append({"register": reg.qualified, "address": reg.address, "raw": value,
                         "value": catalog.decode(role, reg, value), "unit": reg.unit})
        for offset, name in enumerate(("uptime_hi", "uptime_lo", "reset_cause", "fault_flags",
                                       "event_counter")):
            if name.startswith("uptime"):
                continue
            reg = catalog.find_register(role, "common." + name)
            rows.append({"register": reg.qualified, "address": reg.address,
                         "raw": status[offset], "value": catalog.decode(role, reg, status[offset]),
                         "unit": reg.unit})
        uptime = (status[0] << 16) | status[1]
        rows.append({"register": "common.uptime", "address": 5, "raw": uptime,
                     "value": "%d s" % uptime, "unit": "s"})
    else:
        for point in _read_profile_points(master, unit, ident, profile):
            rows.append({"register": point["name"], "address": None, "raw": point["raw"],
                         "value": point["value"], "unit": point["unit"]})
    return {"unit": unit, "role": ident.kind, "time": round(time.time(), 3), "registers": rows}


def watch(master: ModbusMaster, unit: int, profile: Profile | None, count: int,
          interval_s: float, show: Callable[[dict], None]) -> dict:
    ident = who(master, unit, profile)
    shown = missed = in_row = 0
    last = None
    while count <= 0 or shown < count:
        started = time.monotonic()
        try:
            last = snapshot(master, unit, ident, profile)
            in_row = 0
        except (NoDevice, WrongBaud) as exc:
            # one lost answer on a live bus is normal: say so and keep watching (Ctrl-C stops)
            missed += 1
            in_row += 1
            show({"ok": False, "unit": unit, "missed": True, "missed_in_row": in_row,
                  "missed_total": missed, "at": time.strftime("%H:%M:%S"),
                  "message": exc.message})
        else:
            show(last)
        shown += 1
        if count > 0 and shown >= count:
            break
        time.sleep(max(0.0, interval_s - (time.monotonic() - started)))
    return {"ok": True, "unit": unit, "refreshes": shown, "missed": missed, "last": last}


# ---------------------------------------------------------------- read / write
def _resolve(master, unit, ident: Identity, profile: Profile | None, key: str):
    if ident.role:
        reg = catalog.find_register(ident.role, key)
        if reg is None:
            names = ", ".join(r.name for r in catalog.all_registers(ident.role))
            raise UsageError("no register %r on a %s" % (key, ident.kind),
                             "registers: %s (or an address number)" % names)
        return reg
    prof = profile or (profile_by_name(ident.profile) if ident.profile else None)
    point = find_point(prof, key) if prof else None
    if point is None:
        names = ", ".join(p.name for p in prof.points) if prof else "(unknown device)"
        raise UsageError("no point %r on unit %d" % (key, unit), "points: %s" % names)
    return point


def read(master: ModbusMaster, unit: int, key: str, profile: Profile | None) -> dict:
    ident = who(master, unit, profile)
    reg = _resolve(master, unit, ident, profile, key)
    if isinstance(reg, catalog.Register):
        value = require(master, unit, lambda: master.read_registers(unit, reg.address, 1)[0],
                        "reading %s" % reg.qualified)
        return {"ok": True, "unit": unit, "register": reg.qualified, "address": reg.address,
                "access": reg.access, "raw": value, "value": catalog.decode(ident.role, reg, value),
                "unit_of_measure": reg.unit, "doc": reg.doc}
    raw = require(master, unit, lambda: read_point(master, unit, reg), "reading %s" % reg.name)
    return {"ok": True, "unit": unit, "register": reg.name, "address": reg.address,
            "access": "rw" if reg.writable else "r", "raw": raw, "value": decode(reg, raw),
            "unit_of_measure": reg.unit, "doc": reg.meaning}


def write(master: ModbusMaster, unit: int, key: str, text: str, profile: Profile | None,
          confirm: Callable[[str], bool]) -> dict:
    ident = who(master, unit, profile)
    reg = _resolve(master, unit, ident, profile, key)
    if not isinstance(reg, catalog.Register):
        if reg.function != 3 or reg.count != 1:
            raise UsageError("%s on unit %d is read-only (function %d)"
                             % (reg.name, unit, reg.function), "only holding registers are written")
        address, label, lo, hi = reg.address, reg.name, 0, 0xFFFF
        try:
            value = int(text, 0)
        except ValueError:
            raise UsageError("%r is not a number" % text, "give a value like 1 or 0x10") from None
    else:
        if not reg.writable:
            raise UsageError(
                "%s (register %d) is read-only: the device sets it, it cannot be written"
                % (reg.qualified, reg.address),
                "see `campusguard diag read %d --list` for the writable (rw, w) registers" % unit)
        try:
            value = catalog.command_value(ident.role, reg, text)
        except ValueError as exc:
            raise UsageError(str(exc), "") from None
        address, label, lo, hi = reg.address, reg.qualified, reg.lo, reg.hi
        if not lo <= value <= hi:
            raise UsageError("%d is outside %s's range %d..%d" % (value, label, lo, hi),
                             "give a value from %d to %d" % (lo, hi))
    shown = catalog.decode(ident.role, reg, value) if ident.role else str(value)
    question = "write %d (%s) to %s, register %d of unit %d (%s)?" % (
        value, shown, label, address, unit, ident.kind)
    if not confirm(question):
        raise NotConfirmed("nothing was sent to unit %d: the write of %s was not confirmed"
                           % (unit, label),
                           "answer y at the prompt, or pass --yes in scripts")
    require(master, unit, lambda: master.write_register(unit, address, value),
            "writing %s" % label)
    out = {"ok": True, "unit": unit, "register": label, "address": address, "written": value}
    if ident.role and reg.access == "rw":
        back = require(master, unit, lambda: master.read_registers(unit, address, 1)[0],
                       "reading back %s" % label)
        out["read_back"] = back
    return out


def list_registers(role: int) -> dict:
    return {"ok": True, "role": R.ROLE_NAMES[role],
            "registers": [{"register": r.qualified, "address": r.address, "access": r.access,
                           "range": [r.lo, r.hi], "unit": r.unit, "doc": r.doc}
                          for r in catalog.all_registers(role)]}


def ask_on_terminal(question: str) -> bool:
    if not sys.stdin.isatty():
        return False
    sys.stderr.write(question + " [y/N] ")
    sys.stderr.flush()
    return sys.stdin.readline().strip().lower() in ("y", "yes")
