"""The page in a real headless Chromium (Debian's), driven by Playwright.

Screenshots go to test-artifacts/. Run with ``-m browser``; skipped when Chromium is missing.
"""

from __future__ import annotations

import signal
import subprocess
from contextlib import ExitStack
from pathlib import Path

import pytest
from tests.web.conftest import STEPGRAD, open_page, running_server, screenshot

from stepgrad.network import Layer, Network, Setup
from stepgrad.network.files import save_setup
from stepgrad.web.config import Limits, VizConfig
from stepgrad.web.session import Session

pytestmark = pytest.mark.browser


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
    # One frame on circle (250 training points, batch 10) is one epoch: 25 optimizer updates.
    assert trained["updatesPerSecond"] >= 10 * trained["framesPerSecond"] > 0
    screenshot(page, "viz-circle-trained")
    assert page.problems == []


def test_step_through_on_the_classic_example(page, server_url: str) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("stepgrad.derivations.derivation")
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


def test_a_link_with_invalid_fields_keeps_the_valid_ones(page, server_url: str) -> None:  # type: ignore[no-untyped-def]
    open_page(page, server_url + "?data=xor2d&layers=4,30&noise=abc&lr=0.1")
    text = page.inner_text(".banner[data-key=link]")
    assert "layers=4,30 (at most 8 neurons per layer)" in text
    assert "noise=abc (noise must be a number" in text
    assert page.input_value("#data") == "xor2d" and page.input_value("#lr") == "0.1"
    assert "layers=4,2" in page.url and "noise=0.1" in page.url  # the URL now names what runs
    screenshot(page, "viz-link-dropped-fields")
    page.click(".banner[data-key=link] .banner-action")
    assert page.locator(".banner").count() == 0
    assert page.problems == []


def test_a_link_names_the_fields_the_classic_network_does_not_use(page, server_url: str) -> None:  # type: ignore[no-untyped-def]
    open_page(page, server_url + "?data=classic&layers=4,4")
    text = page.inner_text(".banner[data-key=link]")
    assert "layers=4,4 (not used with the classic network, which has layers=2)" in text
    assert page.text_content("#layer-count") == "1 hidden layer"
    assert "layers=2" in page.url and "noise" not in page.url  # the URL names what runs
    screenshot(page, "viz-link-unused-fields")
    page.reload()
    page.wait_for_selector("body[data-state=ready]")
    page.wait_for_function("() => window.stepgradStats.framesDrawn >= 1")
    assert page.locator(".banner").count() == 0  # its own link names nothing
    assert page.problems == []


def test_exported_page_replays_offline(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "run.html"
    command = [str(STEPGRAD), "viz", "--data", "spiral", "--layers", "6,4", "--frames", "40", "--export", str(target)]
    written = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True).stdout
    assert ", 40 frames)" in written
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
    assert page.inner_text("#frame-count") == "frame 0 / 40 (start)"  # the untrained network
    page.click("#play")
    # Playing stops at the last frame (reading an earlier one would race the 80 ms timer).
    page.wait_for_function("() => Number(document.body.dataset.frame) === 40", timeout=30_000)
    assert page.inner_text("#frame-count") == "frame 40 / 40"  # as many as the command said it wrote
    assert page.get_attribute("#play", "class").split().count("playing") == 0
    assert float(page.inner_text("#loss-train")) < 0.69
    screenshot(page, "viz-replay")
    context.close()
    assert problems == []
    assert all(url.startswith("file://") or url.startswith("data:") for url in requests), requests


def _classic_value(name: str) -> str:
    """A step's value as the explain layer formats it for the page (9 digits, as stepgrad explain prints it)."""
    session = Session(Limits())
    session.configure(VizConfig(data="classic"), given={"data"})
    return next(step["value"] for step in session.explain(0)["steps"] if step["name"] == name)


def test_classic_diagram_shows_biases_and_weights_and_one_step_keeps_b1(page, server_url: str) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("stepgrad.derivations.derivation")
    open_page(page, server_url + "?data=classic")
    assert page.text_content("#net .wlabel[data-name=w5] text") == "w5 0.400"
    assert page.text_content("#net .bias-node[data-name=b1] .bias-value") == "0.350 · frozen"
    assert page.text_content("#net .bias-node[data-name=b2] .bias-value") == "0.600 · frozen"
    page.click("#step")
    page.wait_for_function("() => window.stepgradStats.updatesDrawn === 1")  # drawn, not just received
    assert page.inner_text("#loss-train") == "0.291"  # E_total+ = 0.291027774, biases unchanged
    assert page.text_content("#net .bias-node[data-name=b1] .bias-value") == "0.350 · frozen"
    assert page.text_content("#net .wlabel[data-name=w5] text") == "w5 0.359"  # w5+ = 0.35891648
    page.click("#explain")
    page.wait_for_selector(".chip[data-name='net_h1']")
    page.click(".chip[data-name='net_h1']")
    assert page.locator("#net .bias-node.hl[data-name=b1]").count() == 1  # net_h1 involves b1
    assert page.locator("#net .wlabel.hl").count() == 2  # w1 and w2
    screenshot(page, "viz-classic-biases")
    assert page.problems == []


def test_clicking_a_connection_first_opens_that_weights_step(page, server_url: str) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("stepgrad.derivations.derivation")
    open_page(page, server_url + "?data=classic")
    page.click("#net .wlabel[data-name='w6']")  # a weight's label is part of its connection
    page.wait_for_selector("#chain:not([hidden])")
    assert page.inner_text("#step-result") == "dE_total/dw6 = " + _classic_value("dE_total/dw6")
    assert page.inner_text("#chain-title") == "Chain rule for w6"
    lit = page.eval_on_selector_all("#net .edge.hl", "els => els.map(e => e.dataset.name)")
    assert "w6" in lit
    page.set_viewport_size({"width": 1200, "height": 1000})  # the diagram is rebuilt for the new width
    page.wait_for_timeout(300)
    assert page.eval_on_selector_all("#net .edge.hl", "els => els.map(e => e.dataset.name)") == lit
    assert page.problems == []


def _write_file_network(path: Path) -> None:
    hidden = Layer(weights=[[0.3, -0.2, 0.1], [0.5, 0.4, -0.6]], bias=[0.1, -0.2], activation="tanh")
    output = Layer(weights=[[0.7, -0.3]], bias=[0.25], activation="sigmoid", train_bias=False)
    setup = Setup(
        network=Network(layers=(hidden, output), loss="half_squared_error"),
        inputs=[[1.0, 0.5, -1.0], [0.2, -0.3, 0.8], [-0.5, 1.0, 0.3]],
        targets=[[0.1], [0.8], [0.5]],
        learning_rate=0.4,
    )
    save_setup(setup, path)


def test_step_through_on_another_sample_shows_that_sample(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("stepgrad.derivations.derivation")
    path = tmp_path / "three.toml"
    _write_file_network(path)
    with running_server(str(path)) as (url, _process):
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        open_page(page, url)
        assert page.get_attribute("#sample", "max") == "3" and page.inner_text("#sample-count") == "of 3"
        first = page.text_content("#net .neuron[data-name=o1] .neuron-value")
        page.fill("#sample", "3")  # the third sample: numbered from 1, as in `stepgrad explain --sample`
        page.click("#explain")
        page.wait_for_selector(".chip[data-name='out_o1']")
        page.click(".chip[data-name='out_o1']")
        exact = page.inner_text("#step-result").split(" = ")[1]
        shown = page.text_content("#net .neuron[data-name=o1] .neuron-value")
        assert shown == f"{float(exact):.3f}" != first
        assert page.inner_text("#no-plane-sample") == "3"
        assert page.text_content("#net .bias-node[data-name=b3] .bias-value") == "0.250 · frozen"
        screenshot(page, "viz-file-sample-2")
        page.close()


def _pixel_right_of_point(page, points: str, index: int, dx: float) -> list[int]:  # type: ignore[no-untyped-def]
    """The boundary plot's colour ``dx`` CSS pixels right of sample ``index`` of ``points`` (train/test)."""
    return page.evaluate(
        """([points, index, dx]) => {
            const ready = window.stepgrad.ready();
            const canvas = document.getElementById("boundary");
            const size = canvas.clientWidth;
            const ratio = canvas.width / size;
            const d = ready.domain;
            const p = ready.points[points][index];
            const x = ((p[0] - d[0]) / (d[1] - d[0])) * size + dx;
            const y = ((d[3] - p[1]) / (d[3] - d[2])) * size;
            const pixel = canvas.getContext("2d").getImageData(Math.round(x * ratio), Math.round(y * ratio), 1, 1);
            return Array.from(pixel.data);
        }""",
        [points, index, dx],
    )


def test_heat_maps_are_painted_and_points_stand_out(page, server_url: str) -> None:  # type: ignore[no-untyped-def]
    open_page(page, server_url + "?data=circle&layers=4,2&seed=2")
    page.click("#play")
    page.wait_for_function("() => window.stepgradStats.framesDrawn >= 40", timeout=60_000)
    page.click("#play")
    page.wait_for_timeout(200)
    colours = page.evaluate(
        """() => Array.from(document.querySelectorAll("#net canvas.neuron-map")).map((c) => {
            const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
            const seen = new Set();
            for (let k = 0; k < data.length; k += 4) seen.add(data[k] + "," + data[k + 1] + "," + data[k + 2]);
            return seen.size;
        })"""
    )
    assert len(colours) == 9 and min(colours) >= 20  # every neuron's map varies over the plane
    # Each training point is drawn in its class's full colour, far from the paler boundary behind it.
    result = page.evaluate(
        """() => {
            const ready = window.stepgrad.ready();
            const canvas = document.getElementById("boundary");
            const size = canvas.clientWidth;
            const ratio = canvas.width / size;
            const ctx = canvas.getContext("2d");
            const d = ready.domain;
            const at = (x, y) => Array.from(ctx.getImageData(Math.round(x * ratio), Math.round(y * ratio), 1, 1).data);
            const centres = ready.points.train.map((p) => [((p[0] - d[0]) / (d[1] - d[0])) * size,
                ((d[3] - p[1]) / (d[3] - d[2])) * size, p[2]]);
            const points = centres.map(([x, y, label]) => [at(x, y), label]);
            const background = [];
            for (let y = 4; y < size; y += 9) for (let x = 4; x < size; x += 9) {
                if (centres.every(([cx, cy]) => Math.hypot(cx - x, cy - y) > 7)) background.push(at(x, y));
            }
            return { points: points, background: background };
        }"""
    )
    palette = {0.0: (245, 147, 34), 1.0: (8, 119, 189)}  # orange for label 0, blue for label 1

    def distance(a, b) -> float:  # type: ignore[no-untyped-def]
        return float(sum((x - y) ** 2 for x, y in zip(a[:3], b, strict=False)) ** 0.5)

    assert len(result["points"]) == 250 and len(result["background"]) > 100
    near = [distance(pixel, palette[label]) for pixel, label in result["points"]]
    assert sorted(near)[len(near) // 20] < 30  # (overlapping points aside) drawn in full colour
    nearest_background = min(min(distance(pixel, c) for c in palette.values()) for pixel in result["background"])
    assert nearest_background > 60
    page.check("#show-test")
    page.wait_for_timeout(200)
    ring = _pixel_right_of_point(page, "test", 0, 3.6)
    assert max(ring[:3]) < 120  # test samples have a dark ring
    screenshot(page, "viz-boundary-points")
    assert page.problems == []


def test_the_chosen_sample_is_marked_on_the_plot(page, server_url: str) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("stepgrad.derivations.derivation")
    open_page(page, server_url + "?data=gauss&layers=2&seed=3")
    page.fill("#sample", "6")  # index 5
    page.click("#explain")
    page.wait_for_selector(".chip[data-name='out_o1']")
    page.wait_for_timeout(200)
    ring = _pixel_right_of_point(page, "train", 5, 8)
    assert abs(ring[0] - 0xD6) < 40 and abs(ring[1] - 0x33) < 40 and abs(ring[2] - 0x6C) < 40
    assert page.evaluate("() => window.stepgrad.frame().sample") == 5
    page.click(".chip[data-name='out_o1']")
    exact = float(page.inner_text("#step-result").split(" = ")[1])
    assert page.text_content("#net .neuron[data-name=o1] .neuron-label") == f"o1 = {exact:.3f}"
    page.click("#close-steps")  # no derivation: the plane shows names only
    label = "document.querySelector('#net .neuron[data-name=o1] .neuron-label').textContent"
    page.wait_for_function(f"() => {label} === 'o1'")


def test_divergence_stops_with_a_persistent_message_and_no_server_warnings(browser) -> None:  # type: ignore[no-untyped-def]
    diverging = ("--data", "plane", "--layers", "8,8", "--activation", "linear", "--lr", "10", "--batch-size", "1")
    with running_server(*diverging) as (url, process):
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        open_page(page, url)
        page.click("#play")
        page.wait_for_selector(".banner[data-key=diverged]", timeout=30_000)
        text = page.inner_text(".banner[data-key=diverged]")
        assert "NaN or infinite" in text and "press reset" in text
        assert page.get_attribute("#play", "aria-label") == "play"  # stopped playing
        titles = page.eval_on_selector_all("#net .edge-hit title", "els => els.map(e => e.textContent)")
        assert titles and not any("not a number" in t for t in titles)
        page.wait_for_timeout(6500)  # longer than a passing note lasts
        assert page.locator(".banner[data-key=diverged]").count() == 1
        screenshot(page, "viz-diverged")
        page.click(".banner[data-key=diverged] .banner-action")  # Reset
        page.wait_for_function("() => window.stepgrad.frame().updates === 0")
        assert page.locator(".banner[data-key=diverged]").count() == 0
        page.close()
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)
        assert process.stderr is not None
        err = process.stderr.read()
    assert "Warning" not in err and "Traceback" not in err, err


def test_too_many_tabs_is_said_until_the_user_acts(browser) -> None:  # type: ignore[no-untyped-def]
    from websockets.sync.client import connect

    with running_server() as (url, _process), ExitStack() as tabs:
        address = url.split("?")[0].replace("http://", "ws://") + "ws"
        sockets = [tabs.enter_context(connect(address)) for _ in range(Limits().max_sessions)]
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(url)
        page.wait_for_function("() => window.stepgradStats.connection === 'refused'", timeout=20_000)
        page.wait_for_timeout(1500)  # the socket is closed by now: the message must still be there
        text = page.inner_text(".banner[data-key=connection]")
        assert "Too many open tabs" in text and "at most 64 sessions" in text
        assert page.inner_text(".banner[data-key=connection] .banner-action") == "Try again"
        assert page.is_hidden("#message")
        screenshot(page, "viz-too-many-tabs")
        sockets[0].close()  # another tab closes
        page.click(".banner[data-key=connection] .banner-action")
        page.wait_for_selector("body[data-state=ready]", timeout=20_000)
        assert page.locator(".banner[data-key=connection]").count() == 0
        page.close()


def test_a_lost_connection_disables_the_page_and_reconnects_with_the_same_setup(browser) -> None:  # type: ignore[no-untyped-def]
    with running_server("--data", "xor2d", "--layers", "3") as (url, process):
        port = int(url.split("?")[0].rstrip("/").rsplit(":", 1)[1])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        open_page(page, url)
        page.select_option("#lr", "0.1")
        page.wait_for_url("**lr=0.1&**")
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)
    page.wait_for_selector(".banner[data-key=connection]", timeout=15_000)
    assert "Lost the connection" in page.inner_text(".banner[data-key=connection]")
    assert page.evaluate("() => document.getElementById('play').closest('[inert]') !== null")
    assert page.evaluate("() => document.getElementById('lr').closest('[inert]') !== null")
    screenshot(page, "viz-disconnected")
    with running_server(port=port):
        page.wait_for_function("() => window.stepgradStats.connection === 'open'", timeout=30_000)
        assert page.locator(".banner[data-key=connection]").count() == 0
        assert page.input_value("#lr") == "0.1" and page.input_value("#data") == "xor2d"
        assert page.text_content("#layer-count") == "1 hidden layer"
        assert page.evaluate("() => document.getElementById('play').closest('[inert]') === null")
        page.click("#step")
        page.wait_for_function("() => window.stepgrad.frame().updates > 0")
        page.close()
