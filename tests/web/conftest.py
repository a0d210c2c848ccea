"""Shared helpers of the web tests: a TestClient app, a real server process, a headless Chromium."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from support.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
STEPGRAD = Path(sys.executable).parent / "stepgrad"


@contextmanager
def running_server(
    *args: str, port: int = 0, env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """``stepgrad viz --port 0 …`` as a subprocess; yields the page URL it prints and the process.

    ``env`` replaces the environment (``PYTHONUNBUFFERED`` is always set).
    """
    command = [str(STEPGRAD), "viz", "--port", str(port), *args]
    env = {**(os.environ if env is None else env), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"(http://\S+)", line)
        if match is None:
            raise AssertionError(f"no URL printed: {line!r} {process.stderr.read() if process.stderr else ''}")
        yield match.group(1), process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    """A headless Debian Chromium driven by Playwright (a missing Chromium fails: support.system)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    require_chromium()
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def screenshot(page, name: str, full_page: bool = True) -> None:  # type: ignore[no-untyped-def]
    """Save a screenshot (the full page, or what the window shows) to test-artifacts/<name>.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    """A ``stepgrad viz`` server for the module's browser tests; its URL without a query."""
    with running_server() as (url, _process):
        yield url.split("?")[0]


@pytest.fixture()
def page(browser):  # type: ignore[no-untyped-def]
    """A new 1400 × 1000 tab; ``page.problems`` collects console errors and uncaught exceptions."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    yield page
    context.close()


SIZES = [(390, 844), (1024, 768), (1440, 900)]  # a phone (with a touch screen), a tablet, a desktop


@pytest.fixture(params=SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def sized(browser, request):  # type: ignore[no-untyped-def]
    """``(page, width, height)``: a tab at one of ``SIZES``; ``page.problems`` as in ``page``."""
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=width < 500)
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    yield page, width, height
    context.close()


def open_page(page, url: str) -> None:  # type: ignore[no-untyped-def]
    """Load ``url`` and wait until the page has its session."""
    page.goto(url)
    page.wait_for_selector("body[data-state=ready]", timeout=20_000)
