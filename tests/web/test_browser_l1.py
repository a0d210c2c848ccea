"""L1 regularization in the page: the select changes what the engine computes and stays in the link."""

from __future__ import annotations

import pytest
from tests.web.conftest import open_page

pytestmark = pytest.mark.browser


def test_l1_regularization_makes_the_weights_smaller_and_stays_in_the_link(page, server_url: str) -> None:  # type: ignore[no-untyped-def]
    open_page(page, server_url + "?data=circle&layers=4")
    size = "() => window.stepgrad.frame().weights.flat(2).reduce((s, w) => s + Math.abs(w), 0)"

    def train(frames: int) -> None:
        start = page.evaluate("() => window.stepgrad.frame().frame")
        for _ in range(frames):
            page.click("#step")
        page.wait_for_function(f"() => window.stepgrad.frame().frame >= {start + frames}")

    train(10)
    plain = page.evaluate(size)
    page.select_option("#l1", "0.1")
    page.wait_for_url("**l1=0.1**")
    page.click("#reset")
    page.wait_for_function("() => window.stepgrad.frame().updates === 0")
    train(10)
    assert page.evaluate(size) < 0.9 * plain  # the same start and steps, with λ₁·sign(w) added to each gradient
    page.reload()
    page.wait_for_selector("body[data-state=ready]")
    assert page.input_value("#l1") == "0.1"
    assert page.problems == []
