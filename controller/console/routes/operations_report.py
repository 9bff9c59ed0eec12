"""The term report in the console: pick a term of the site or a from/to range, generate it
(controller/report: build_report, then render and write_plots) into STATE/reports/<name>/, and
view it: report.html (zh-CN), report.en.html, report.json and the plots, served here behind the
session, same-origin. The same files as `campusguard report --out STATE/reports/<name>`.

Generating reads the event log and the ledger and records nothing: every signed-in operator may
(a viewer, an inspector, needs it most)."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse

from controller.console.context import ConsoleContext, Context
from controller.console.errors import ConsoleError
from controller.console.models import problems
from controller.console.operations_models import ReportRequest
from controller.console.operations_port import day, now_fields
from controller.console.security import SignedIn, SignedInWithCsrf
from controller.operations.ledger import LedgerError

router = APIRouter(prefix="/api/operations", tags=["operations"])
REFUSALS = problems(401, 403, 404, 422)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,80}$")
# What a report folder serves: its pages, its JSON and its plots; nothing else in it, and nothing
# outside it, is reachable.
PAGES = {"report.html": "text/html; charset=utf-8", "report.en.html": "text/html; charset=utf-8",
         "report.json": "application/json"}
_PLOT = re.compile(r"^[a-z_]{1,40}\.png$")
# The report page carries its own <style> and no script: it may style itself, nothing more.
REPORT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
              "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def reports_dir(ctx: ConsoleContext) -> Path:
    return ctx.host.paths.root / "reports"


def _folder_name(term: str | None, first: date, last: date) -> str:
    name = term if term and _NAME.match(term) else f"{first}_{last}"
    return re.sub(r"[^A-Za-z0-9._-]", "-", name)


def _generate(ctx: ConsoleContext, term_name: str | None, first: date | None,
              last: date | None) -> dict[str, Any]:
    """Build and write one report (in a worker thread); its summary."""
    from controller.report.term_report import ReportError, period
    from controller.report.write_report import write_report

    site = ctx.host.site
    terms = ", ".join(t.name for t in site.operations.terms) or "(none in the site)"
    if term_name and term_name not in [t.name for t in site.operations.terms]:
        raise ConsoleError(422, f"no term {term_name!r} in the site's [[operations.terms]]. "
                           f"Fix: choose one of {terms}, or give from and to")
    if not term_name and (first is None or last is None):
        raise ConsoleError(422, f"say which period. Fix: choose a term ({terms}) or give from "
                           "and to (YYYY-MM-DD, site-local days)")
    if first and last and last < first:
        raise ConsoleError(422, f"to {last} is before from {first}. Fix: give the last day "
                           "on or after the first")
    try:
        term, first, last = period(site, term_name, first, last)
        name = _folder_name(term_name, first, last)
        report, _ = write_report(site, ctx.host.paths.root, term, first, last,
                                 reports_dir(ctx) / name, "zh-CN")
    except ReportError as exc:
        raise ConsoleError(422, f"{exc}") from None
    return _summary(name, report)


def _summary(name: str, report: dict) -> dict[str, Any]:
    base = f"/api/operations/reports/{name}"
    d = report["drills"]
    return {"name": name, "term": report["term"], "from": report["from"], "to": report["to"],
            "generated_at": report["generated_at"],
            "drills": {k: {"count": d[k]["count"], "target": d[k]["target"]}
                       for k in ("fire", "lockdown", "evacuation")},
            "hazards_open": report["hazards"]["open"],
            "hazards_overdue": report["hazards"]["overdue"],
            "duty_coverage_pct": report["duty"]["coverage_pct"],
            "visits": report["gate_log"]["visits"],
            "html": {"zh-CN": f"{base}/report.html", "en": f"{base}/report.en.html"},
            "json": f"{base}/report.json"}


def _listing(ctx: ConsoleContext) -> list[dict[str, Any]]:
    out = []
    root = reports_dir(ctx)
    for folder in sorted(root.iterdir() if root.is_dir() else []):
        try:
            report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
            out.append(_summary(folder.name, report))
        except (OSError, ValueError, KeyError):
            continue  # a folder being written, or not a report: not listed
    return sorted(out, key=lambda r: r["generated_at"], reverse=True)


@router.get("/reports", responses=problems(401))
async def reports(_: SignedIn, ctx: Context) -> dict[str, Any]:
    """The site's terms (to pick one) and the reports generated so far, newest first."""
    terms = [{"name": t.name, "from": t.start.isoformat(), "to": t.end.isoformat()}
             for t in ctx.host.site.operations.terms]
    return {**now_fields(ctx), "terms": terms,
            "reports": await asyncio.to_thread(_listing, ctx)}


@router.post("/reports", responses=REFUSALS)
async def generate(body: ReportRequest, _: SignedInWithCsrf, ctx: Context) -> dict[str, Any]:
    """Generate the report of a term (term) or a range (from, to: YYYY-MM-DD, site-local days,
    inclusive) into STATE/reports/<term or from_to>/; an earlier one of the same name is
    replaced."""
    first, last = day(body.first, "from"), day(body.last, "to")
    if body.term and (first or last):
        raise ConsoleError(422, "give a term or a from/to range, not both. Fix: send term OR "
                           "from and to")
    try:
        summary = await asyncio.to_thread(_generate, ctx, body.term or None, first, last)
    except (LedgerError, OSError) as exc:
        raise ConsoleError(503, f"the report could not be written: {exc}. Fix: check free "
                           f"space and permissions of {reports_dir(ctx)}") from None
    return {**now_fields(ctx), "report": summary}


@router.get("/reports/{name}/{file}", responses=problems(401, 404))
async def report_file(name: str, file: str, _: SignedIn, ctx: Context) -> FileResponse:
    """A generated report's page (report.html zh-CN, report.en.html), report.json or a plot."""
    root = reports_dir(ctx)
    path = root / name / file
    kind = PAGES.get(file) or ("image/png" if _PLOT.match(file) else None)
    if not _NAME.match(name) or kind is None or not path.is_file() or \
            path.resolve().parent.parent != root.resolve():
        raise ConsoleError(404, f"no report file {name}/{file}. Fix: generate the report, then "
                           "open it from GET /api/operations/reports")
    headers = {"Content-Security-Policy": REPORT_CSP} if file.endswith(".html") else {}
    return FileResponse(path, media_type=kind, headers=headers)
