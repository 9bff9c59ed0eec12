"""Write one term report into a folder: report.json (every figure), report.html in the chosen
language, the other language beside it (report.en.html or report.zh-CN.html) and the PNG plots.
The one way the CLI (`campusguard report`) and the console make a report."""

from __future__ import annotations

import json
import threading
from datetime import date
from pathlib import Path

from controller.report.render_html import render, write_plots
from controller.report.term_report import build_report
from controller.site.model import Site
from controller.site.operations import Term

LANGS = ("zh-CN", "en")
_PLOTTING = threading.Lock()  # matplotlib's pyplot is not thread-safe: one report at a time


def page_names(lang: str = "zh-CN") -> dict[str, str]:
    """{language: file name} of the two pages, lang's page being report.html."""
    other = "en" if lang == "zh-CN" else "zh-CN"
    return {lang: "report.html", other: f"report.{other}.html"}


def write_report(site: Site, state_dir: Path, term: Term | None, first: date, last: date,
                 out: Path, lang: str = "zh-CN") -> tuple[dict, list[Path]]:
    """Build the report and write it into out; (the report, the files written)."""
    report = build_report(site, state_dir, term, first, last)
    out.mkdir(parents=True, exist_ok=True)
    with _PLOTTING:
        (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2),
                                         encoding="utf-8")
        plots = write_plots(report, out)
        pages = page_names(lang)
        for language, name in pages.items():
            (out / name).write_text(render(report, language, plots), encoding="utf-8")
    written = [out / "report.json", *(out / n for n in pages.values()),
               *(out / p for p in plots.values())]
    return report, written
