"""Defaults, the URL and number formatting in the page (real Chromium)."""

from __future__ import annotations

import pytest
from tests.web.conftest import open_page

pytestmark = pytest.mark.browser


def test_leaving_classic_resets_to_the_data_sets_defaults(page, server_url: str) -> None:  # type: ignore[no-untyped-def]
    open_page(page, server_url + "?data=classic")
    assert page.input_value("#lr") == "0.5" and page.input_value("#batch") == "1"
    page.select_option("#data", "xor2d")
    page.wait_for_url("**data=xor2d**")
    page.wait_for_selector("body[data-state=ready]")
    assert "layers=4,2&" in page.url and "lr=0.3&" in page.url and "batch=10&" in page.url
    assert page.input_value("#lr") == "0.3"
    page.select_option("#data", "spiral")
    page.wait_for_url("**layers=8,8,8&act=relu&opt=adam&lr=0.01**")
    assert page.problems == []


def test_show_test_data_is_kept_in_the_url(page, server_url: str) -> None:  # type: ignore[no-untyped-def]
    open_page(page, server_url + "?data=gauss")
    page.check("#show-test")
    page.wait_for_url("**&test=1")
    page.select_option("#lr", "0.03")  # a run setting changes: the view setting stays in the URL
    page.wait_for_url("**lr=0.03**&test=1")
    page.reload()
    page.wait_for_selector("body[data-state=ready]")
    assert page.is_checked("#show-test") and page.locator(".banner").count() == 0  # not an unknown setting
    page.uncheck("#show-test")
    page.wait_for_function("() => !location.search.includes('test=1')")
    assert page.problems == []


def test_numbers_read_as_people_write_them(page, server_url: str) -> None:  # type: ignore[no-untyped-def]
    open_page(page, server_url + "?data=gauss&seed=2147483648")
    banner = page.inner_text(".banner[data-key=link]")
    assert "seed must be between 0 and 2147483647, got 2147483648" in banner and "e+" not in banner
    formatted = page.evaluate(
        "() => [1000, 25000, 0.003, 0.00015, -1234567].map((v) => window.StepgradDraw.humanNumber(v, 3))"
    )
    assert formatted == ["1,000", "25,000", "0.003", "1.5×10⁻⁴", "-1,234,567"]
    assert "e+" not in page.inner_text("body") and "e-" not in page.inner_text("#net")
    assert page.problems == []
