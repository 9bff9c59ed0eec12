"""Text for a person from the diag commands' result dicts (the same dicts --json prints)."""

from __future__ import annotations

import sys


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=False)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(lines)


def scan(result: dict) -> str:
    where = result["port"] + (" (bus %s)" % result["bus"] if result["bus"] else "")
    rows = [[d["unit"], d["name"] or "-", d["role"], d["product"], d["revision"] or "-",
             d["vendor"] or "-"] for d in result["devices"]]
    out = ["%d unit(s) found on %s at %d baud (%d addresses scanned)"
           % (len(rows), where, result["baud"], result["scanned"])]
    if rows:
        out.append(_table(rows, ["unit", "name", "role", "product", "revision", "vendor"]))
    for m in result["missing"]:
        out.append("MISSING: unit %d %s (%s) is in the site file but did not answer"
                   % (m["unit"], m["name"], m["role"]))
    if result["garbled_answers"]:
        out.append("%d address(es) answered with garbled bytes: noise, or a wrong baud/parity"
                   % result["garbled_answers"])
    return "\n".join(out)


def info(r: dict) -> str:
    title = "unit %d%s: %s %s" % (r["unit"], " (%s)" % r["name"] if r["name"] else "",
                                  r["vendor"] or "", r["product"])
    lines = [title.rstrip()]
    if "points" in r:
        lines.append("  third-party device, profile %s" % r["profile"])
        for p in r["points"]:
            lines.append("  %-16s %-20s %s" % (p["name"], p["value"], p["meaning"]))
        return "\n".join(lines)
    fields = [
        ("role", r["role"]), ("firmware", r["fw_version"] + " (id revision %s)" % r["revision"]),
        ("serial", r["serial"]), ("uptime", _duration(r["uptime_s"])),
        ("reset cause", r["reset_cause"]), ("faults", ", ".join(r["fault_flags"]) or "none"),
        ("state", r["state"]), ("mode", r["mode"]),
        ("site flags", ", ".join(r["site_flags"]) or "none"),
        ("serial line", "unit %d at %d baud" % (r["active_unit"], r["active_baud"])),
        ("comm loss after", "%d s" % r["comm_loss_timeout_s"]),
        ("free heap", "%d B" % r["heap_free_bytes"]), ("events", r["event_counter"]),
    ]
    lines += ["  %-16s %s" % (k, v) for k, v in fields]
    if r["fault_log"]:
        lines.append("  fault log (newest first):")
        for e in r["fault_log"]:
            lines.append("    #%-2d %-8s %-20s at uptime %s" % (e["index"], e["block"], e["fault"],
                                                              _duration(e["uptime_s"])))
    else:
        lines.append("  fault log        empty")
    return "\n".join(lines)


def _duration(seconds: int) -> str:
    d, rest = divmod(seconds, 86400)
    h, rest = divmod(rest, 3600)
    m, s = divmod(rest, 60)
    return ("%dd " % d if d else "") + "%02d:%02d:%02d" % (h, m, s)


def counters(r: dict) -> str:
    lines = ["unit %d FC 08 diagnostic counters:" % r["unit"]]
    lines += ["  %-20s %d" % (k, v) for k, v in r["counters"].items()]
    if r.get("cleared"):
        lines.append("cleared; now:")
        lines += ["  %-20s %d" % (k, v) for k, v in r["after_clear"].items()]
    return "\n".join(lines)


def snapshot(snap: dict) -> str:
    rows = [[row["register"], row["address"] if row["address"] is not None else "-",
             row["raw"] if not isinstance(row["raw"], list) else "".join(map(str, row["raw"])),
             row["value"]] for row in snap["registers"]]
    return "unit %d (%s)\n%s" % (snap["unit"], snap["role"],
                                 _table(rows, ["register", "addr", "raw", "value"]))


def show_snapshot(snap: dict, as_json: bool) -> None:
    import json

    if as_json:
        print(json.dumps(snap), flush=True)
        return
    if snap.get("missed"):  # keep the last view on screen, note the gap under it
        print("no answer at %s (%d in a row, %d in all): %s; still watching"
              % (snap["at"], snap["missed_in_row"], snap["missed_total"], snap["message"]),
              flush=True)
        return
    if sys.stdout.isatty():
        sys.stdout.write("\x1b[H\x1b[2J")  # redraw in place: a live view, not a scroll
    print(snapshot(snap) + "\n", flush=True)


def read(r: dict) -> str:
    unit = (" " + r["unit_of_measure"]) if r["unit_of_measure"] and r["unit_of_measure"] not in (
        "bits",) else ""
    return "unit %d %s (register %d, %s) = %s -> %s%s\n  %s" % (
        r["unit"], r["register"], r["address"], r["access"], r["raw"], r["value"],
        "" if unit.strip() in r["value"] else unit, r["doc"])


def write(r: dict) -> str:
    text = "unit %d %s (register %d) <- %d: written" % (r["unit"], r["register"], r["address"],
                                                       r["written"])
    if "read_back" in r:
        text += ", reads back %d" % r["read_back"]
    return text


def register_list(r: dict) -> str:
    rows = [[x["register"], x["address"], x["access"], "%d..%d" % tuple(x["range"]), x["unit"],
             x["doc"]] for x in r["registers"]]
    return _table(rows, ["register", "addr", "access", "range", "unit", "doc"])


def bus(r: dict) -> str:
    def row(label, c):
        return [label, c["requests"], c["answers"], c["timeouts"], c["crc_errors"],
                c["frame_errors"] + c["wrong_unit"], c["exceptions"],
                "%.1f%%" % (100 * c["error_rate"])]

    names = r["session"].get("names", {})
    never = set(r["session"].get("never_answered", []))
    rows = [row("unit %s%s%s" % (u, " " + names[u] if u in names else "",
                                 " NEVER ANSWERED" if int(u) in never else ""), c)
            for u, c in r["session"]["units"].items()]
    rows.append(row("total", r["session"]["total"]))
    head = "bus errors seen by this host on %s since %s (units that answered, and the site's)" % (
        r["port"], r["since"])
    text = head + "\n" + _table(rows, ["", "requests", "answers", "timeouts", "crc", "framing",
                                       "exceptions", "error rate"])
    silent = r["session"]["silent_units"]
    if silent:
        text += "\n%d address(es) never answered (%d requests, e.g. a scan): %s" % (
            len(silent), r["session"]["silent_requests"], _ranges(silent))
    return text


def _ranges(units: list[int]) -> str:
    out, start, prev = [], None, None
    for u in units + [None]:
        if start is None:
            start = prev = u
        elif u is not None and u == prev + 1:
            prev = u
        else:
            out.append(str(start) if start == prev else "%d-%d" % (start, prev))
            start = prev = u
    return ",".join(out)


def poll_progress(done: int, total: int, rounds: int) -> None:
    """Polling progress on stderr: a bar on a terminal, a line every tenth otherwise."""
    if total <= 0:
        return
    if sys.stderr.isatty():
        width = 30
        filled = width * done // total
        sys.stderr.write("\rpolling [%s%s] %d/%d requests" % ("#" * filled, "." * (width - filled),
                                                             done, total))
        if done >= total:
            sys.stderr.write("\n")
    elif done == total or done % max(total // 10, 1) == 0:
        sys.stderr.write("polling: %d/%d requests (%d rounds)\n" % (done, total, rounds))
    sys.stderr.flush()


def progress(done: int, total: int, found: int) -> None:
    width = 30
    filled = width * done // max(total, 1)
    sys.stderr.write("\rscanning [%s%s] %d/%d, %d found" % ("#" * filled, "." * (width - filled),
                                                            done, total, found))
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()
