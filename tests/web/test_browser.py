"""The page in a real headless Chromium (Debian's), driven by Playwright.

Screenshots go to test-artifacts/. Run with ``-m browser``; skipped when Chromium is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.web.conftest import running_server, screenshot

from stepgrad.web.config import VizConfig
from stepgrad.web.export import export_html

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    with running_server() as (url, _process):
        yield url.split("?")[0]


@pytest.fixture()
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.problems = []  # console errors and uncaught exceptions
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    yield page
    context.close()


def open_page(page, url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    page.wait_for_selector("body[data-state=ready]", timeout=20_000)


def stats(page) -> dict:  # type: ignore[no-untyped-def]
    return page.evaluate("() => Object.assign({}, window.stepgradStats)")


def test_page_loads_without_console_errors(page, server_url: str) -> None:  # type: ignore[no-untyped-def]
    open_page(page, server_url)
    assert "data=circle" in page.url
    page.wait_for_function("() => window.stepgradStats.framesDrawn >= 1")
    assert page.locator("#net svg .neuron").count() == 2 + 4 + 2 + 1
    assert page.locator("#net canvas.neuron-map").count() == 9
    screenshot(page, "viz-loaded")
    assert page.problems == []


def test_play_makes_the_loss_fall_on_circle(page, server_url: str) -> None:  # type: ignore[no-untyped-def]
    open_page(page, server_url + "?data=circle&layers=4,2&seed=2")
    page.wait_for_function("() => window.stepgradStats.framesDrawn >= 1")
    start = stats(page)["loss"]
    page.click("#play")
    page.wait_for_function("() => window.stepgradStats.framesDrawn >= 60", timeout=60_000)
    page.click("#play")
    trained = stats(page)
    assert trained["loss"] < 0.5 * start
    assert float(page.inner_text("#epoch")) >= 50
    assert int(page.inner_text("#ups")) > 0
    screenshot(page, "viz-circle-trained")
    assert page.problems == []


def test_step_through_on_the_classic_example(page, server_url: str) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("stepgrad.explain.derivation")
    open_page(page, server_url + "?data=classic")
    page.click("#explain")
    page.wait_for_selector(".chip[data-name='out_o1']")
    page.click(".chip[data-name='out_o1']")
    assert page.inner_text("#step-result") == "out_o1 = 0.75136507"
    assert page.locator("#net .neuron.hl[data-name='o1']").count() == 1
    page.click(".chip[data-name='w5+']")
    assert page.inner_text("#step-result") == "w5+ = 0.35891648"
    assert page.locator("#net .edge.hl[data-name='w5']").count() == 1
    screenshot(page, "viz-classic-step")
    page.click("#net .edge-hit[data-name='w5']", force=True)  # h1→o1: no other connection crosses its middle
    page.wait_for_selector("#chain:not([hidden])")
    assert page.inner_text("#chain-title") == "Chain rule for w5"
    chain = page.inner_text("#chain-steps")
    assert "dE_total/dw5" in chain and "w5+ = 0.35891648" in chain
    screenshot(page, "viz-classic-chain")
    assert page.problems == []


def test_controls_change_the_url_and_reloading_restores_them(page, server_url: str) -> None:  # type: ignore[no-untyped-def]
    open_page(page, server_url + "?data=xor2d")
    page.select_option("#act", "relu")
    page.wait_for_url("**act=relu**")
    page.select_option("#lr", "0.1")
    page.wait_for_url("**lr=0.1&**")
    page.click(".layer-group button[data-action='add-neuron'][data-layer='0']")
    page.wait_for_url("**layers=5,2**")
    page.click("#add-layer")
    page.wait_for_url("**layers=5,2,2**")
    page.fill("#noise", "0.3")
    page.dispatch_event("#noise", "change")
    page.wait_for_url("**noise=0.3**")
    url = page.url
    page.reload()
    page.wait_for_selector("body[data-state=ready]")
    assert page.url == url
    assert page.input_value("#act") == "relu"
    assert page.input_value("#lr") == "0.1"
    assert page.input_value("#noise") == "0.3"
    assert page.text_content("#layer-count") == "3 hidden layers"
    assert page.locator("#net svg .neuron").count() == 2 + 5 + 2 + 2 + 1
    assert page.problems == []


def test_caps_are_explained_in_the_page(page, server_url: str) -> None:  # type: ignore[no-untyped-def]
    open_page(page, server_url + "?layers=8")
    page.click(".layer-group button[data-action='add-neuron'][data-layer='0']")
    assert "At most 8 neurons per layer" in page.inner_text("#message")
    open_page(page, server_url + "?data=circle&layers=4,30")
    page.wait_for_selector("#message:not([hidden])")
    assert "at most 8 neurons per layer" in page.inner_text("#message")
    screenshot(page, "viz-cap-message")


def test_exported_page_replays_offline(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "run.html"
    target.write_text(export_html(VizConfig(data="spiral", layers=(6, 4)), frames=40), encoding="utf-8")
    context = browser.new_context(viewport={"width": 1400, "height": 900}, offline=True)
    requests: list[str] = []
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://") else route.abort())
    page = context.new_page()
    problems: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(target.as_uri())
    page.wait_for_selector("body[data-state=ready]")
    page.click("#play")
    page.wait_for_function("() => Number(document.body.dataset.frame) >= 39", timeout=30_000)
    assert page.inner_text("#frame-count") == "frame 40 / 41"
    assert float(page.inner_text("#loss-train")) < 0.69
    screenshot(page, "viz-replay")
    context.close()
    assert problems == []
    assert all(url.startswith("file://") or url.startswith("data:") for url in requests), requests
