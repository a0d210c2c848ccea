"""Playground parity that needs no engine change, in a real Chromium: axes on the output plot,
discretized output, a neuron's heat-map large on hover. Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest
from tests.web.conftest import open_page, screenshot

pytestmark = pytest.mark.browser

# A canvas's pixels: distinct colours, nearly black ones (axis text), a digest of them all.
PIXELS = """(id) => {
  const c = document.getElementById(id);
  const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  const colours = new Set();
  let dark = 0;
  let digest = 0;
  for (let k = 0; k < data.length; k += 4) {
    colours.add(data[k] + "," + data[k + 1] + "," + data[k + 2]);
    if (data[k] < 60 && data[k + 1] < 70 && data[k + 2] < 80) dark += 1;
    digest = (digest * 31 + data[k] + 7 * data[k + 1] + 13 * data[k + 2]) % 1000000007;
  }
  return { colours: colours.size, dark: dark, digest: digest };
}"""

# The colours of the output's heat-map alone, painted as the page paints it (no points, no axes).
MAP_COLOURS = """(discrete) => {
  const frame = window.stepgrad.frame();
  const canvas = document.createElement("canvas");
  window.StepgradDraw.paintMap(canvas, frame.maps.boundary, "value", 0, 0, discrete);
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  const colours = new Set();
  for (let k = 0; k < data.length; k += 4) colours.add(data[k] + "," + data[k + 1] + "," + data[k + 2]);
  return colours.size;
}"""


def test_the_output_plot_has_axes(page, server_url: str) -> None:  # type: ignore[no-untyped-def]
    open_page(page, server_url + "?data=gauss")
    page.wait_for_function("() => window.stepgradStats.framesDrawn >= 1")
    assert page.evaluate(PIXELS, "boundary")["dark"] > 50  # tick labels and x1/x2 (the map is never this dark)
    screenshot(page, "parity-axes", full_page=False)
    assert page.problems == []


def test_discretize_output_paints_two_colours_and_is_kept_in_the_url(page, server_url: str) -> None:  # type: ignore[no-untyped-def]
    open_page(page, server_url + "?data=circle")
    page.click("#step")
    page.wait_for_function("() => window.stepgrad.frame().frame >= 1")
    assert page.evaluate(MAP_COLOURS, False) > 20
    assert page.evaluate(MAP_COLOURS, True) == 2
    before = page.evaluate(PIXELS, "boundary")["digest"]
    page.check("#discrete")
    page.wait_for_url("**discrete=1**")
    page.wait_for_timeout(200)
    assert page.evaluate(PIXELS, "boundary")["digest"] != before  # the plot is painted anew
    page.reload()
    page.wait_for_selector("body[data-state=ready]")
    assert page.is_checked("#discrete")
    screenshot(page, "parity-discretized", full_page=False)
    assert page.problems == []


def test_pointing_at_a_neuron_shows_its_heat_map_large(page, server_url: str) -> None:  # type: ignore[no-untyped-def]
    open_page(page, server_url + "?data=circle&layers=4,2")
    page.wait_for_function("() => window.stepgradStats.framesDrawn >= 1")
    zoom = page.locator("#neuron-zoom")
    assert zoom.is_hidden()
    neuron = page.locator("#net .neuron[data-name='h1_2'] .neuron-box")
    neuron.hover()
    assert zoom.is_visible()
    box, at = zoom.bounding_box(), neuron.bounding_box()
    assert box is not None and at is not None and box["width"] >= 190 and box["height"] >= 190
    assert box["x"] >= at["x"] + at["width"] or box["x"] + box["width"] <= at["x"]  # beside, not on top
    assert page.evaluate(PIXELS, "neuron-zoom")["colours"] > 10
    screenshot(page, "parity-neuron-zoom", full_page=False)
    page.mouse.move(2, 2)
    assert zoom.is_hidden()
    page.locator("#net .neuron[data-name='o1'] .neuron-box").hover()  # the last column: shown to its left
    box, at = zoom.bounding_box(), page.locator("#net .neuron[data-name='o1'] .neuron-box").bounding_box()
    assert box is not None and at is not None and box["x"] + box["width"] <= at["x"]
    assert page.problems == []


def test_sin_x1_becomes_an_input_neuron_and_its_weights_train(page, server_url: str) -> None:  # type: ignore[no-untyped-def]
    open_page(page, server_url + "?data=circle&layers=3")
    page.click("#features-field summary")
    page.check("#features input[value='sinx1']")
    page.wait_for_url("**features=x1,x2,sinx1**")
    page.wait_for_function("() => window.stepgrad.ready().network.sizes[0] === 3")
    labels = page.locator("#net .neuron-label").all_text_contents()
    assert labels[:3] == ["X1", "X2", "sin X1"]
    assert page.locator("#net canvas.neuron-map").count() == 3 + 3 + 1
    before = page.evaluate("() => window.stepgrad.frame().weights[0].map((row) => row[2])")
    for _ in range(5):
        page.click("#step")
    page.wait_for_function("() => window.stepgrad.frame().frame >= 5")
    after = page.evaluate("() => window.stepgrad.frame().weights[0].map((row) => row[2])")
    assert after != before  # sin X1's weights train
    page.reload()
    page.wait_for_selector("body[data-state=ready]")
    assert page.is_checked("#features input[value='sinx1']") and page.locator(".banner").count() == 0
    assert page.inner_text("#features-chosen") == "X1, X2, sin X1"
    page.click("#features-field summary")
    page.uncheck("#features input[value='x1']")
    page.uncheck("#features input[value='x2']")
    page.wait_for_url("**features=sinx1**")
    page.click("#features input[value='sinx1']")  # the last one stays: the network needs an input
    assert page.is_checked("#features input[value='sinx1']")
    assert "at least one input" in page.inner_text("#message")
    screenshot(page, "parity-features", full_page=False)
    assert page.problems == []
