"""Debian's headless Chromium as every browser test here launches it (never `playwright install`):
the binary `make tools` installs and the flags of the house rules."""

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
