"""Full-page screenshots of a term report, as an inspector's browser shows it, for docs/report/.

    .venv/bin/python tools/report_screenshots.py REPORT_DIR [--out docs/report]

REPORT_DIR is what `campusguard report --out` wrote (report.html, report.<other>.html, PNG
plots). Real headless Chromium (Debian's /usr/bin/chromium, `make tools`) through playwright;
the page is opened from the file, with no server, as a school would open it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report_dir", type=Path)
    parser.add_argument("--out", type=Path, default=Path("docs/report"))
    args = parser.parse_args(argv)
    pages = sorted(args.report_dir.glob("report*.html"))
    if not pages:
        print(f"no report*.html in {args.report_dir}: run `campusguard report --out DIR` first",
              file=sys.stderr)
        return 1
    if not Path(CHROMIUM).exists():
        print(f"no {CHROMIUM}: run `make tools`", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            for html in pages:
                page.goto(html.resolve().as_uri())
                page.wait_for_load_state("load")
                shot = args.out / f"{html.stem}.png"
                page.screenshot(path=str(shot), full_page=True)
                print(f"wrote {shot}")
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
