"""report.html: the term report as one printable page with its plots beside it (PNG files).

No scripts, no network: it opens from a USB stick and prints to PDF from the browser. Plot labels
use the report's numbers and kind names only; every word is in the page, in the chosen language.
"""

from __future__ import annotations

import html
from pathlib import Path
from zoneinfo import ZoneInfo

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from controller.report.messages import t  # noqa: E402
from controller.site.operations import DRILL_KINDS  # noqa: E402
from controller.store.record import parse_ts  # noqa: E402

_GAPS_SHOWN = 12  # the rest are in report.json: a term can have hundreds of unstaffed nights
_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:2em;color:#111}
h1{margin-bottom:.2em} h2{border-bottom:2px solid #333;margin-top:1.6em}
table{border-collapse:collapse;margin:.6em 0} td,th{border:1px solid #999;padding:.25em .6em;text-align:left}
.bad{color:#b00020;font-weight:bold} .good{color:#0a6b2a;font-weight:bold}
img{max-width:32em;display:block;margin:.5em 0}
@media print{.noprint{display:none} h2{page-break-after:avoid} table{page-break-inside:avoid}}
"""


def _local(ts: str | None, tz: ZoneInfo) -> str:
    if not ts:
        return "—"
    return parse_ts(ts).astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _months(months: list[int]) -> str:
    return ", ".join(str(m) for m in months) or "—"


def _e(value: object) -> str:
    return html.escape("—" if value is None else str(value))


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:g} %"


def _plot_bars(path: Path, labels: list[str], values: list[float], targets: list[float | None],
               ylabel: str) -> None:
    fig, ax = plt.subplots(figsize=(5, 2.6), dpi=100)
    ax.bar(labels, values, color="#1f6feb", label="done")
    for i, target in enumerate(targets):
        if target is not None:
            ax.hlines(target, i - 0.4, i + 0.4, colors="#b00020", linewidth=2,
                      label="target" if i == 0 else None)
    ax.set_ylabel(ylabel)
    if any(x is not None for x in targets):
        ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


_DAYS_SHOWN = 31  # a month of daily patrol rows; a longer period lists the days below the goal


def _plot_daily(path: Path, days: list[dict], goal: float) -> None:
    fig, ax = plt.subplots(figsize=(6, 2.6), dpi=100)
    rated = [d for d in days if d["rate_pct"] is not None]
    ax.bar([d["date"][5:] for d in rated], [d["rate_pct"] for d in rated],
           color=["#1f6feb" if d["rate_pct"] >= goal else "#b00020" for d in rated])
    ax.axhline(goal, color="#b00020", linewidth=1.5, linestyle="--", label=f"{goal:g} %")
    ax.set_ylim(0, 105)
    ax.set_ylabel("patrol %")
    ax.legend(loc="lower right", fontsize=8)
    if len(rated) > 12:
        ax.set_xticks(range(0, len(rated), max(1, len(rated) // 10)))
    ax.tick_params(axis="x", labelsize=7, rotation=45)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_plots(report: dict, out: Path) -> dict[str, str]:
    plots = {}
    patrol = report["patrol"]
    if any(d["rate_pct"] is not None for d in patrol.get("days", [])):
        _plot_daily(out / "patrol.png", patrol["days"], patrol["daily_rate_goal_pct"])
        plots["patrol"] = "patrol.png"
    drills = report["drills"]
    _plot_bars(out / "drills.png", list(DRILL_KINDS), [drills[k]["count"] for k in DRILL_KINDS],
               [drills[k]["target"] for k in DRILL_KINDS], "drills")
    plots["drills"] = "drills.png"
    windows = report["duty"]["windows"]
    if windows:
        _plot_bars(out / "duty.png", list(windows),
                   [w["coverage_pct"] or 0 for w in windows.values()],
                   [100.0 for _ in windows], "coverage %")
        plots["duty"] = "duty.png"
    hz = report["hazards"]
    if hz["total"]:
        _plot_bars(out / "hazards.png", ["open", "closed", "in time", "overdue"],
                   [hz["open"], hz["closed"], hz["closed_in_time"], hz["overdue"]],
                   [None, None, None, None], "entries")
        plots["hazards"] = "hazards.png"
    return plots


def _assembly_text(record: dict, L) -> str:
    points = record.get("assembly_points") or {}
    if not points.get("of"):
        return L("no_assembly")
    if points["ms"] is not None:
        return f'{points["ms"] / 1000:.1f} s ({points["confirmed"]}/{points["of"]})'
    return (f'{L("not_all")} ({points["confirmed"]}/{points["of"]}); {L("assembly_missing")}: '
            + ", ".join(points.get("missing", [])))


def _yes(ok: bool | None, lang: str) -> str:
    if ok is None:
        return "—"
    return f'<span class="{"good" if ok else "bad"}">{t("yes" if ok else "no", lang)}</span>'


def _rate_cell(rate: float | None, goal: float) -> str:
    if rate is None:
        return "—"
    return f'<span class="{"good" if rate >= goal else "bad"}">{rate:g} %</span>'


def _patrol_breakdown(p: dict, L, plots: dict[str, str], tz: ZoneInfo) -> list[str]:
    """Per day, per route and per duty shift against the programme's goals."""
    goal, n = p["daily_rate_goal_pct"], p["shift_rounds_goal"]
    below = p["days_below_goal"]
    parts = [f'<p>{L("patrol_goal").format(goal=goal, n=n)}. {L("below_goal")}: '
             f'<span class="{"bad" if below else "good"}">'
             f'{_e(", ".join(below) or L("none"))}</span></p>']
    if "patrol" in plots:
        parts.append(f'<img src="{plots["patrol"]}" alt="{L("per_day")}">')
    head = (f'<th>{L("required")}</th><th>{L("done")}</th><th>{L("pending")}</th>'
            f'<th>{L("missed")}</th><th>{L("rate")}</th>')

    def cells(row: dict) -> str:
        return (f'<td>{row["rounds_required"]}</td><td>{row["rounds_done"]}</td>'
                f'<td>{row["pending"]}</td><td>{row["missed_checkpoints"]}</td>'
                f'<td>{_rate_cell(row["rate_pct"], goal)}</td>')

    days = p["days"]
    shown = days if len(days) <= _DAYS_SHOWN else [d for d in days if d["date"] in below]
    parts.append(f'<h3>{L("per_day")}</h3>')
    if len(days) > _DAYS_SHOWN:
        parts.append(f'<p>{L("only_below")}</p>')
    parts.append(f'<table><tr><th>{L("date")}</th>{head}</tr>' + "".join(
        f'<tr><td>{d["date"]}</td>{cells(d)}</tr>' for d in shown[:_DAYS_SHOWN]) + "</table>")
    parts.append(f'<h3>{L("per_route")}</h3><table><tr><th>{L("route")}</th>{head}</tr>' +
                 "".join(f'<tr><td>{_e(r["route"])}</td>{cells(r)}</tr>' for r in p["routes"])
                 + "</table>")
    if p["shifts"]:
        parts.append(f'<h3>{L("per_shift")}</h3><table><tr><th>{L("window")}</th>'
                     f'<th>{L("shifts")}</th>{head}<th>{L("under_two").format(n=n)}</th>'
                     f'<th>{L("scheduled_under_two").format(n=n)}</th></tr>')
        for w in p["shifts"]:
            if not w["patrolled"]:
                parts.append(f'<tr><td>{_e(w["window"])}</td><td>{w["shifts"]}</td>'
                             f'<td colspan="7">{L("not_patrolled")}</td></tr>')
                continue
            under = len(w["under_two"])
            parts.append(f'<tr><td>{_e(w["window"])}</td><td>{w["shifts"]}</td>{cells(w)}'
                         f'<td class="{"bad" if under else "good"}">{under}</td>'
                         f'<td class="{"bad" if w["scheduled_under_two"] else "good"}">'
                         f'{w["scheduled_under_two"]}</td></tr>')
        parts.append("</table>")
    parts += _capped_table(L("missed_list"), [L("time"), L("checkpoint"), L("route"), L("round")],
                           [[_local(m["ts"], tz), _e(m["device"]), _e(m["route"]), _e(m["round"])]
                            for m in p["missed"]], L("more"))
    parts += _capped_table(L("late_list"), [L("time"), L("checkpoint"), L("operator")],
                           [[_local(x["ts"], tz), _e(x["device"]), _e(x["operator"])]
                            for x in p["late"]], L("more"))
    return parts


def _capped_table(title: str, headers: list[str], rows: list[list[str]], more: str) -> list[str]:
    """A titled table of the first _GAPS_SHOWN rows (cells already escaped) and how many more."""
    if not rows:
        return []
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>"
                   for row in rows[:_GAPS_SHOWN])
    parts = [f"<h3>{title}</h3><table><tr>{head}</tr>{body}</table>"]
    if len(rows) > _GAPS_SHOWN:
        parts.append(f"<p>{more.format(n=len(rows) - _GAPS_SHOWN)}</p>")
    return parts


def render(report: dict, lang: str, plots: dict[str, str]) -> str:
    tz = ZoneInfo(report["timezone"])
    L = lambda key: t(key, lang)  # noqa: E731
    parts = [f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
             f'<title>{_e(report["campus"])} — {L("title")}</title><style>{_CSS}</style>'
             f'</head><body>',
             f'<h1>{_e(report["campus"])} — {L("title")}</h1>',
             f'<p>{L("period")}: {report["from"]} — {report["to"]}'
             f'{" (" + L("term") + " " + _e(report["term"]) + ")" if report["term"] else ""}. '
             f'{L("generated")}: {_local(report["generated_at"], tz)} ({report["timezone"]})</p>']
    d = report["drills"]
    parts.append(f'<h2>{L("drills")}</h2><table><tr><th>{L("kind")}</th><th>{L("count")}</th>'
                 f'<th>{L("target")}</th><th>{L("met")}</th></tr>')
    for kind in DRILL_KINDS:
        row = d[kind]
        target = row["target"] if row["target"] is not None else L("no_target")
        parts.append(f'<tr><td>{L(kind)}</td><td>{row["count"]}</td><td>{_e(target)}</td>'
                     f'<td>{_yes(row["met"], lang)}</td></tr>')
    months = d["whole_school_months"]
    parts.append(f'</table><p>{L("whole_school")}: {_months(months["required"])} / '
                 f'{_months(months["drilled"])} / <span class="{"bad" if months["missing"] else "good"}'
                 f'">{_months(months["missing"])}</span></p>')
    cadence = d["cadence"]
    if cadence["every"]:
        missing = ", ".join(cadence["missing"]) or L("none")
        parts.append(f'<p>{L("cadence_" + cadence["every"])}: <span class='
                     f'"{"bad" if cadence["missing"] else "good"}">{_e(missing)}</span></p>')
    if "drills" in plots:
        parts.append(f'<img src="{plots["drills"]}" alt="{L("drills")}">')
    parts.append(f'<table><tr><th>{L("kind")}</th><th>{L("started")}</th><th>{L("by")}</th>'
                 f'<th>{L("ended")}</th><th>{L("ended_by")}</th><th>{L("measured")}</th>'
                 f'<th>{L("assembly")}</th></tr>')
    for r in d["records"]:
        timing = r.get("secured") or r.get("egress_open") or {}
        what = L("secured") if "secured" in r else L("egress_open")
        if timing.get("ms") is not None:
            measured = f'{what}: {timing["ms"] / 1000:.1f} s ({timing["devices"]})'
        elif timing.get("devices"):
            measured = f'{what}: {L("not_all")} ({timing["confirmed"]}/{timing["devices"]})'
        else:
            measured = "—"
        if r["aborted"]:
            measured += f' — {L("aborted")}'
        parts.append(f'<tr><td>{L(r["kind"]) if r["kind"] in DRILL_KINDS else _e(r["kind"])}</td>'
                     f'<td>{_local(r["started_at"], tz)}</td><td>{_e(r["started_by"])}</td>'
                     f'<td>{_local(r["ended_at"], tz)}</td><td>{_e(r["ended_by"])}</td>'
                     f'<td>{_e(measured)}</td><td>{_e(_assembly_text(r, L))}</td></tr>')
    p = report["patrol"]
    required = p["rounds_required"] if p["rounds_required"] is not None else L("no_routes")
    parts.append(f'</table><h2>{L("patrol")}</h2><p>{L("rounds")}: {p["rounds_done"]} / '
                 f'{_e(required)} ({_pct(p["completion_pct"])}'
                 f'{"; " + L("pending") + ": " + str(p["rounds_pending"]) if p.get("rounds_pending") else ""}'
                 f'); {L("missed")}: '
                 f'{p["missed_checkpoints"]}; {L("late")}: {p["late_checkpoints"]}</p>')
    if "days" in p:
        parts += _patrol_breakdown(p, L, plots, tz)
    du = report["duty"]
    parts.append(f'<h2>{L("duty")}</h2><p>{L("coverage")}: {_pct(du["coverage_pct"])} '
                 f'({du["covered_h"]} h / {du["required_h"]} h)</p>')
    if "duty" in plots:
        parts.append(f'<img src="{plots["duty"]}" alt="{L("duty")}">')
    if du["gaps"]:
        parts.append(f'<p>{L("gaps")}:</p><ul>' + "".join(
            f'<li>{_e(g["window"])}: {_local(g["from"], tz)} — {_local(g["to"], tz)} '
            f'({g["minutes"]} min)</li>' for g in du["gaps"][:_GAPS_SHOWN]) + "</ul>")
        if len(du["gaps"]) > _GAPS_SHOWN:
            parts.append(f'<p>{L("more").format(n=len(du["gaps"]) - _GAPS_SHOWN)}</p>')
    g = report["gate_log"]
    parts.append(f'<h2>{L("gate_log")}</h2><p>{L("visits")}: {g["visits"]} ({L("people")} '
                 f'{g["people"]}, {L("vehicles")} {g["vehicles"]}); {L("not_out")}: '
                 f'{g["not_signed_out"]}; {L("retention")}: {g["retention_days"]}</p>')
    parts.append(f'<h2>{L("alarms")}</h2>')
    if report["alarms"]:
        parts.append(f'<table><tr><th>{L("time")}</th><th>{L("kind")}</th><th>{L("device")}</th>'
                     f'<th>{L("zone")}</th><th>{L("to_lockdown")}</th></tr>')
        for a in report["alarms"]:
            ms = a.get("to_lockdown_ms")
            parts.append(f'<tr><td>{_local(a["ts"], tz)}</td><td>{_e(a["kind"])}</td>'
                         f'<td>{_e(a["device"])}</td><td>{_e(a["zone"])}</td>'
                         f'<td>{"—" if ms is None else f"{ms:.0f} ms"}</td></tr>')
        parts.append("</table>")
    else:
        parts.append(f'<p>{L("none")}</p>')
    s = report["self_tests"]
    parts.append(f'<h2>{L("self_tests")}</h2><p>{L("tests")}: {s["tests"]} ({s["passed"]}/'
                 f'{s["failed"]}); {L("untested")}: {len(s["untested"])} / {s["devices_due"]}</p>')
    h = report["hazards"]
    parts.append(f'<h2>{L("hazards")}</h2><p>{L("open")}: {h["open"]}; {L("closed")}: '
                 f'{h["closed"]}; {L("overdue")}: {h["overdue"]}; {L("in_time")}: '
                 f'{_pct(h["closed_in_time_pct"])}; {L("major")}: {_pct(h["major_closed_pct"])}'
                 f'</p>')
    if "hazards" in plots:
        parts.append(f'<img src="{plots["hazards"]}" alt="{L("hazards")}">')
    if h["entries"]:
        parts.append(f'<table><tr><th>#</th><th>{L("kind")}</th><th>{L("owner")}</th>'
                     f'<th>{L("deadline")}</th><th>{L("opened_by")}</th><th>{L("closed")}</th>'
                     f'<th>{L("closed_by")}</th><th>{L("note")}</th></tr>')
        for e in h["entries"]:
            late = e["closed_at"] is not None and e["closed_at"] > e["deadline"]
            parts.append(f'<tr><td>{e["id"]}</td><td>{_e(e["title"])}</td><td>{_e(e["owner"])}'
                         f'</td><td>{_local(e["deadline"], tz)}</td><td>{_e(e["opened_by"])}</td>'
                         f'<td{" class=bad" if late else ""}>{_local(e["closed_at"], tz)}</td>'
                         f'<td>{_e(e["closed_by"])}</td><td>{_e(e["note"])}</td></tr>')
        parts.append("</table>")
    parts.append(f'<h2>{L("availability")}</h2><table><tr><th>{L("bus")}</th>'
                 f'<th>{L("devices")}</th><th>%</th></tr>')
    for bus, row in sorted(report["availability"].items()):
        parts.append(f'<tr><td>{_e(bus)}</td><td>{row["devices"]}</td>'
                     f'<td>{_pct(row["availability_pct"])}</td></tr>')
    parts.append("</table></body></html>")
    return "\n".join(parts)

