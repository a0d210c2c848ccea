"""Accessibility in a real Chromium: names from the browser's own accessibility tree (what a screen
reader gets), the page worked by keyboard alone, and text contrast computed from computed styles
(the checks an axe audit makes for these rules). Screenshots go to test-artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.web.conftest import open_page, screenshot

pytestmark = pytest.mark.browser

INTERACTIVE = {"button", "combobox", "slider", "spinbutton", "checkbox", "link", "textbox", "image", "group"}

CONTRAST = (Path(__file__).parent / "contrast.js").read_text(encoding="utf-8")


def unnamed_controls(page) -> list[Any]:  # type: ignore[no-untyped-def]
    """Controls in Chromium's accessibility tree without a name (an axe 'name' rule)."""
    cdp = page.context.new_cdp_session(page)
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    missing = []
    for node in nodes:
        role = node.get("role", {}).get("value")
        if node.get("ignored") or role not in INTERACTIVE:
            continue
        if not str(node.get("name", {}).get("value", "")).strip():
            missing.append((role, node.get("backendDOMNodeId")))
    return missing


def names_of(page, role: str) -> list[str]:  # type: ignore[no-untyped-def]
    cdp = page.context.new_cdp_session(page)
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    return [n["name"]["value"] for n in nodes if n.get("role", {}).get("value") == role and not n.get("ignored")]


def test_every_control_has_an_accessible_name(page, server_url: str) -> None:  # type: ignore[no-untyped-def]
    open_page(page, server_url + "?data=circle&layers=3,2")
    page.wait_for_function("() => window.stepgradStats.framesDrawn >= 1")
    assert unnamed_controls(page) == []
    sliders = names_of(page, "slider")
    assert any(name.startswith("Noise") for name in sliders)
    assert any(name.startswith("Training data") for name in sliders)
    buttons = names_of(page, "button")
    assert "add a neuron to layer 2" in buttons and "remove a neuron from layer 1" in buttons
    plots = [name for name in names_of(page, "image") if name.startswith(("Loss curve", "Output over the plane"))]
    assert len(plots) == 2 and all(any(ch.isdigit() for ch in name) for name in plots)  # the numbers they show
    assert "training loss" in plots[0] or "training loss" in plots[1]
    open_page(page, server_url + "?data=classic")
    page.click("#explain")
    page.wait_for_selector(".chip[data-name='out_o1']")
    assert unnamed_controls(page) == []
    assert any(name.startswith("w5") for name in names_of(page, "button"))  # a connection, by its weight
    assert page.problems == []


def test_the_page_works_by_keyboard_alone(page, server_url: str) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("stepgrad.derivations.derivation")
    open_page(page, server_url + "?data=classic")
    page.wait_for_function("() => window.stepgradStats.framesDrawn >= 1")
    page.keyboard.press("ArrowRight")  # one frame
    page.wait_for_function("() => window.stepgrad.frame().frame === 1")
    page.keyboard.press("Space")
    page.wait_for_function("() => window.stepgrad.frame().frame >= 10")
    assert page.get_attribute("#play", "aria-label") == "pause"
    page.keyboard.press("Space")
    assert page.get_attribute("#play", "aria-label") == "play"
    reached = []
    for _ in range(80):  # Tab through the page: every connection and bias is on the way
        page.keyboard.press("Tab")
        name = page.evaluate("() => document.activeElement.dataset ? document.activeElement.dataset.name || '' : ''")
        if name:
            reached.append(name)
        if name == "b2":
            break
    assert {"w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "b1", "b2"} <= set(reached)
    page.focus("#net .edge-hit[data-name='w5']")
    page.keyboard.press("Enter")
    page.wait_for_selector("#chain:not([hidden])")
    assert page.inner_text("#chain-title") == "Chain rule for w5"
    page.keyboard.press("Escape")
    page.evaluate("() => document.activeElement.blur()")
    before = page.inner_text("#step-count")
    page.keyboard.press("ArrowRight")  # while stepping: the next step
    assert page.inner_text("#step-count") != before
    screenshot(page, "a11y-keyboard-chain")
    assert page.problems == []


@pytest.mark.parametrize("setup", ["circle", "classic-stepping"])
def test_text_contrast_is_at_least_4_5_to_1(page, server_url: str, setup: str) -> None:  # type: ignore[no-untyped-def]
    if setup == "circle":
        open_page(page, server_url + "?data=circle&layers=4,2")
    else:
        pytest.importorskip("stepgrad.derivations.derivation")
        open_page(page, server_url + "?data=classic")
        page.click("#explain")
        page.wait_for_selector(".chip[data-name='w5+']")
        page.click(".chip[data-name='w5+']")  # the rest of the diagram is dimmed
        assert page.locator("#net svg.dimmed").count() == 1
    page.wait_for_function("() => window.stepgradStats.framesDrawn >= 1")
    texts = page.evaluate(CONTRAST)
    assert len(texts) > 30
    low = [t for t in texts if t["ratio"] < 4.5]
    assert low == [], low
    screenshot(page, f"a11y-contrast-{setup}")
