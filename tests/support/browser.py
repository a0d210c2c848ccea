"""Debian's Chromium for Playwright: browsers cannot be downloaded here, so tests launch this one."""

CHROMIUM = "/usr/bin/chromium"
# The background-networking flags keep Chromium from calling out of this closed machine.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
