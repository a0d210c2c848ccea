"""Debian's Chromium for Playwright: browsers cannot be downloaded here, so tests launch this one."""

from support.system import require

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


def require_chromium() -> str:
    """``CHROMIUM``; a test that needs it fails when it is missing (see ``support.system``)."""
    require(CHROMIUM, "chromium")
    return CHROMIUM
