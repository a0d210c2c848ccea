"""The page's layout in a real headless Chromium: weight labels that do not overlap, and the network
beside the output on laptop-sized windows. Screenshots go to test-artifacts/."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from tests.web.conftest import open_page, screenshot

pytestmark = pytest.mark.browser

TOLERANCE = 2.0  # px two boxes may share (antialiasing, half-pixel strokes)

# Every weight label and the diagram's other marks, in page pixels; a label's centre's distance
# (in the diagram's own units, which are CSS pixels) to its own connection, sampled along it.
DIAGRAM = """() => {
  const box = (el) => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const labels = Array.from(document.querySelectorAll("#net .wlabel")).map((g) => {
    const rect = g.querySelector("rect");
    const cx = Number(rect.getAttribute("x")) + Number(rect.getAttribute("width")) / 2;
    const cy = Number(rect.getAttribute("y")) + Number(rect.getAttribute("height")) / 2;
    const path = document.querySelector('#net path.edge[data-name="' + g.dataset.name + '"]');
    const length = path.getTotalLength();
    let off = Infinity;
    for (let k = 0; k <= 400; k++) {
      const p = path.getPointAtLength((k / 400) * length);
      off = Math.min(off, Math.hypot(p.x - cx, p.y - cy));
    }
    return { name: g.dataset.name, box: box(rect), shown: getComputedStyle(g).display !== "none",
      short: g.classList.contains("short"), text: g.querySelector("text").textContent, off: off };
  });
  const marks = Array.from(document.querySelectorAll(
    "#net .neuron-box, #net .neuron-label, #net .bias-node circle, #net .bias-value")).map(box);
  return { labels: labels, marks: marks };
}"""


def _shared(a: list[float], b: list[float]) -> tuple[float, float]:
    """How far boxes a and b overlap across and down (negative: apart)."""
    return min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])


def _overlapping(boxes: list[tuple[str, list[float]]], others: list[list[float]] | None = None) -> list[Any]:
    """Pairs of boxes that share more than TOLERANCE px both across and down."""
    found = []
    for k, (name, box) in enumerate(boxes):
        against = [(n, b) for n, b in boxes[k + 1 :]] if others is None else [("mark", b) for b in others]
        for other_name, other in against:
            across, down = _shared(box, other)
            if across > TOLERANCE and down > TOLERANCE:
                found.append((name, other_name, round(across), round(down)))
    return found


def _weights(layers: tuple[int, ...]) -> int:
    sizes = (2, *layers, 1)
    return sum(a * b for a, b in itertools.pairwise(sizes))


@pytest.mark.parametrize("layers", [(4, 2), (3, 3, 3), (4, 4)])
def test_every_weight_label_has_its_own_place_on_its_connection(page, server_url: str, layers) -> None:  # type: ignore[no-untyped-def]
    open_page(page, server_url + "?data=circle&layers=" + ",".join(map(str, layers)))
    page.wait_for_function("() => window.stepgradStats.framesDrawn >= 1")
    diagram = page.evaluate(DIAGRAM)
    labels = diagram["labels"]
    assert len(labels) == _weights(layers)
    # At 1400 px every label is shown in full: its name and its value.
    assert [label["name"] for label in labels if not label["shown"] or label["short"]] == []
    assert all(label["text"].startswith(label["name"] + " ") for label in labels)
    boxes = [(label["name"], label["box"]) for label in labels]
    assert _overlapping(boxes) == []
    assert _overlapping(boxes, diagram["marks"]) == []  # nor on a neuron, its name or a bias
    assert max(label["off"] for label in labels) < 1.0  # centred on its own connection
    screenshot(page, "viz-labels-" + "-".join(map(str, layers)))
    assert page.problems == []


def test_labels_without_room_show_when_their_connection_is_pointed_at(browser, server_url: str) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1024, "height": 768})
    open_page(page, server_url + "?data=circle&layers=3,3,3")
    diagram = page.evaluate(DIAGRAM)
    labels = diagram["labels"]
    shown = [label for label in labels if label["shown"]]
    assert len(labels) == 27 and 0 < len(shown) < 27  # too narrow for all 27
    boxes = [(label["name"], label["box"]) for label in shown]
    assert _overlapping(boxes) == [] and _overlapping(boxes, diagram["marks"]) == []
    # Full labels give the name and the value; short ones (less room) the value alone.
    assert all(label["short"] != label["text"].startswith(label["name"] + " ") for label in shown)
    hidden = [label["name"] for label in labels if not label["shown"]]
    # A point of such a connection with nothing on top of it: pointing there shows its label.
    name, point = page.evaluate(
        """(names) => {
            for (const name of names) {
                const hit = document.querySelector('#net .edge-hit[data-name="' + name + '"]');
                hit.ownerSVGElement.scrollIntoView({ block: "center" });
                const svg = hit.ownerSVGElement.getBoundingClientRect();
                const length = hit.getTotalLength();
                for (let k = 1; k < 40; k++) {
                    const p = hit.getPointAtLength((k / 40) * length);
                    const x = svg.left + p.x, y = svg.top + p.y;
                    if (document.elementFromPoint(x, y) === hit) return [name, [x, y]];
                }
            }
            return [null, null];
        }""",
        hidden,
    )
    assert point is not None
    page.mouse.move(point[0], point[1])
    label = page.locator(f"#net .wlabel[data-name='{name}']")
    assert label.is_visible() and label.locator("text").text_content().startswith(name + " ")
    page.mouse.move(5, 5)
    assert label.is_hidden()
    screenshot(page, "viz-labels-narrow-3-3-3")
    page.close()


@pytest.mark.parametrize("size", [(1024, 768), (1280, 800)])
def test_the_boundary_stays_beside_the_network_and_in_view_while_training(browser, server_url: str, size) -> None:  # type: ignore[no-untyped-def]
    width, height = size
    page = browser.new_page(viewport={"width": width, "height": height})
    open_page(page, server_url + "?data=circle&layers=4,2&seed=2")
    page.click("#play")
    page.wait_for_function("() => window.stepgradStats.framesDrawn >= 20", timeout=60_000)
    places = page.evaluate(
        """() => Object.fromEntries(["net", "boundary", "loss-chart"].map((id) => {
            const r = document.getElementById(id).getBoundingClientRect();
            return [id, [r.left, r.top, r.right, r.bottom]];
        }))"""
    )
    net, boundary, chart = places["net"], places["boundary"], places["loss-chart"]
    assert boundary[0] > net[2] and chart[0] > net[2]  # side by side, not stacked
    assert boundary[1] < net[3]  # the plot starts beside the diagram, not below it
    assert boundary[3] <= height  # the whole decision boundary is in view, above the fold
    assert boundary[2] - boundary[0] >= 250  # and not squeezed
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width  # nothing sideways
    screenshot(page, f"viz-width-{width}x{height}", full_page=False)
    page.click("#play")
    page.close()
