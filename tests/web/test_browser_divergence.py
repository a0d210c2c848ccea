"""The page says why a run blew up: the divergence banner carries the engine's forensics sentence."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from tests.web.conftest import open_page, running_server, screenshot

from stepgrad.network import Layer, Network, Setup
from stepgrad.network.files import save_setup

pytestmark = pytest.mark.browser


def test_the_divergence_banner_names_the_value_that_overflowed_and_why(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # out = 0.5·x at x = 1e100, target 0, η = 10: w1+ = 0.5 − 10·1e200 = −1e201, so E_o1+ = (1e301)² overflows
    path = tmp_path / "overflow.toml"
    network = Network(layers=(Layer(weights=[[0.5]], bias=[], activation="linear"),), loss="mse")
    save_setup(Setup(network=network, inputs=[[1e100]], targets=[[0.0]], learning_rate=10.0), path)
    with running_server(str(path)) as (url, process):
        page = browser.new_page(viewport={"width": 390, "height": 844})
        open_page(page, url)
        page.click("#play")
        page.wait_for_selector(".banner[data-key=diverged]", timeout=30_000)
        text = page.inner_text(".banner[data-key=diverged]")
        assert "NaN or infinite" in text and "press reset" in text
        assert (
            "Why: at the kept weights, a plain gradient step (full-batch SGD, η = 10, on 1 sample): E_o1+ = inf" in text
        )
        assert "the update moved w1 = 0.5 by -1e+201 to -1e+201" in text
        assert page.evaluate("() => window.stepgrad.frame().why").startswith("at the kept weights")
        screenshot(page, "viz-diverged-why-phone")
        page.click(".banner[data-key=diverged] .banner-action")  # Reset
        page.wait_for_function("() => window.stepgrad.frame().updates === 0")
        assert page.locator(".banner[data-key=diverged]").count() == 0
        page.close()
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)
