"""A reader opens the built site in Chromium, searches for "delta" and reaches the student guide."""

from __future__ import annotations

import pytest

from support.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium
from support.docs_site import ROOT

ARTIFACTS = ROOT / "test-artifacts"

pytestmark = pytest.mark.browser


def test_search_for_delta_reaches_the_student_guide(site_url: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    require_chromium()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            ARTIFACTS.mkdir(exist_ok=True)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            problems: list[str] = []
            page.on("pageerror", lambda error: problems.append(str(error)))
            outside: list[str] = []
            page.on("request", lambda request: outside.append(request.url) if "127.0.0.1" not in request.url else None)
            page.goto(site_url + "index.html")
            search = page.locator("input.md-search__input")
            search.click()
            search.press_sequentially("delta")  # typed, as a reader does: the search reacts to keys
            results = page.locator(".md-search-result__link")
            results.first.wait_for(timeout=15000)
            student = page.locator('.md-search-result__link[href*="student/"]')
            assert student.count() >= 1
            student.first.click()
            page.wait_for_url("**/student/**")
            sync_api.expect(page.locator("article h1")).to_be_visible()
            assert "delta" in page.locator("article").inner_text()
            page.screenshot(path=str(ARTIFACTS / "docs-search-student.png"))
            assert not problems
            assert [url for url in outside if not url.startswith(("data:", "blob:"))] == []
        finally:
            browser.close()
