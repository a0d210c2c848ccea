"""The page on a phone, a tablet and a desktop (390×844, 1024×768, 1440×900) in a real Chromium:
nothing overlaps, every tap target is at least 24 px, the diagram scrolls inside its panel and
stays in view while stepping. Screenshots go to test-artifacts/."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from tests.web.conftest import open_page, screenshot

pytestmark = pytest.mark.browser

LAYERS = [(1,), (8,), (1, 1, 1, 1, 1, 1), (8, 8, 8, 8, 8, 8), (3, 8, 1, 6, 2, 4)]
TARGET = 24  # px: the smallest tap target

BOXES = """() => {
  const box = (el) => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && el.checkVisibility({ visibilityProperty: true }) && !el.closest("[hidden]");
  };
  const controls = Array.from(document.querySelectorAll("button, select, input, a[href]")).filter(visible)
    .map((el) => ({ id: el.id || el.className || el.tagName, box: box(el), type: el.type || "" }));
  const groups = Array.from(document.querySelectorAll(".layer-group")).map(box);
  const neurons = Array.from(document.querySelectorAll("#net .neuron-box, #net .neuron-label")).map(box);
  return { controls: controls, groups: groups, neurons: neurons, pageWidth: document.documentElement.scrollWidth };
}"""


def _overlap(a: list[float], b: list[float], tolerance: float = 0.5) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > tolerance and min(a[3], b[3]) - max(a[1], b[1]) > tolerance


def _pairs(boxes: list[Any]) -> list[tuple[Any, Any]]:
    return [(a, b) for k, a in enumerate(boxes) for b in boxes[k + 1 :] if _overlap(a["box"], b["box"])]


def test_no_control_overlaps_and_every_target_is_large_enough(sized, server_url: str) -> None:  # type: ignore[no-untyped-def]
    page, width, height = sized
    for layers in LAYERS:
        open_page(page, server_url + "?data=circle&layers=" + ",".join(map(str, layers)))
        page.wait_for_function("() => window.stepgradStats.framesDrawn >= 1")
        found = page.evaluate(BOXES)
        assert found["pageWidth"] <= width, layers  # the page never scrolls sideways; the diagram may
        controls = found["controls"]
        small = [c for c in controls if c["box"][2] - c["box"][0] < TARGET or c["box"][3] - c["box"][1] < TARGET]
        assert small == [], (layers, small)
        assert _pairs(controls) == [], layers
        groups = found["groups"]
        assert len(groups) == len(layers)
        assert all(not _overlap(a, b) for k, a in enumerate(groups) for b in groups[k + 1 :]), layers
        assert all(b[0] - a[2] >= 8 for a, b in itertools.pairwise(groups)), layers  # apart
        neurons = found["neurons"]
        assert all(not _overlap(a, b, 2) for k, a in enumerate(neurons) for b in neurons[k + 1 :]), layers
        if layers == (8, 8, 8, 8, 8, 8):
            screenshot(page, f"responsive-{width}x{height}-8x6", full_page=False)
    assert page.problems == []


def test_every_layers_plus_works_by_touch_or_click(sized, server_url: str) -> None:  # type: ignore[no-untyped-def]
    page, width, _ = sized
    open_page(page, server_url + "?data=circle&layers=2,2,2,2,2,2")
    for layer in range(6):
        button = page.locator(f".layer-group button[data-action='add-neuron'][data-layer='{layer}']")
        button.scroll_into_view_if_needed()
        if width < 500:
            button.tap()
        else:
            button.click()
        expected = ",".join("3" if k <= layer else "2" for k in range(6))
        page.wait_for_url(f"**layers={expected}&**")
        page.wait_for_selector("body[data-state=ready]")
    assert page.problems == []


def test_the_diagram_stays_in_view_while_stepping_and_after_a_connection_is_clicked(sized, server_url: str) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("stepgrad.derivations.derivation")
    page, width, height = sized
    open_page(page, server_url + "?data=classic")
    page.click("#explain")
    page.wait_for_selector(".chip[data-name='out_o1']")
    page.wait_for_function("() => document.body.classList.contains('stepping')")

    def diagram_in_view() -> float:
        """The share of the diagram's panel inside the window."""
        r = page.evaluate(
            "() => { const r = document.querySelector('.panel.network').getBoundingClientRect();"
            " return [r.top, r.bottom]; }"
        )
        seen = min(r[1], height) - max(r[0], 0)
        return seen / (r[1] - r[0])

    for _ in range(12):
        page.click("#next-step")
        page.locator(".step-result").scroll_into_view_if_needed()
        assert diagram_in_view() > 0.9
    edge = page.locator("#net .edge-hit[data-name='w5']")
    edge.click(force=True)
    page.wait_for_selector("#chain:not([hidden])")
    assert diagram_in_view() > 0.9
    assert page.locator("#net .edge.hl[data-name='w5']").count() == 1
    screenshot(page, f"responsive-{width}x{height}-stepping", full_page=False)
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    assert diagram_in_view() > 0.9  # sticky to the very end of the steps
    assert page.problems == []
