"""Playground's remaining controls in a real Chromium at 390×844 (touch), 1024×768 and 1440×900:
problem type (regression), more than two classes (softmax), reset to the same initial weights vs
new weights, editing a weight from the diagram, the learner's own CSV. Each test recomputes in the
page what the server reports (losses, colours, weights) from the numbers it was sent."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from tests.web.conftest import open_page, screenshot

pytestmark = pytest.mark.browser

# The network's outputs at points [[x1, x2], …] and its mean loss over the training points, computed in
# the page from the weights of the frame it was sent (plain JavaScript: no server code involved).
FORWARD = """(points) => {
  const r = window.stepgrad.ready(), f = window.stepgrad.frame();
  const act = { tanh: Math.tanh, linear: (v) => v, relu: (v) => Math.max(0, v),
    sigmoid: (v) => 1 / (1 + Math.exp(-v)) };
  const outputs = points.map((x) => {
    let a = x;
    f.weights.forEach((w, l) => {
      const b = f.biases[l];
      const bias = (j) => (b.length === 1 ? b[0] : b.length ? b[j] : 0);
      const net = w.map((row, j) => row.reduce((s, v, k) => s + v * a[k], 0) + bias(j));
      const name = r.network.activations[l];
      if (name === "softmax") {
        const top = Math.max(...net);
        const e = net.map((v) => Math.exp(v - top));
        const sum = e.reduce((s, v) => s + v, 0);
        a = e.map((v) => v / sum);
      } else a = net.map(act[name]);
    });
    return a;
  });
  return outputs;
}"""

MEAN_LOSS = """(outputs) => {
  const r = window.stepgrad.ready();
  const labels = r.points.train.map((p) => p[2]);
  let total = 0;
  outputs.forEach((o, n) => {
    if (r.network.loss === "half_squared_error") total += 0.5 * (labels[n] - o[0]) ** 2;
    else if (r.network.loss === "cross_entropy") total += -Math.log(o[labels[n]]);
    else total += -(labels[n] * Math.log(o[0]) + (1 - labels[n]) * Math.log(1 - o[0]));
  });
  return total / outputs.length;
}"""

BOUNDARY_BYTES = """() => Array.from(atob(window.stepgrad.frame().maps.boundary.data), (c) => c.charCodeAt(0))"""


def press(page, selector: str, width: int) -> None:  # type: ignore[no-untyped-def]
    """Operate a button as the size's person would: tap on the phone, click on a desktop."""
    if width < 500:
        page.tap(selector)
    else:
        page.click(selector)


def train(page, frames: int, width: int) -> None:  # type: ignore[no-untyped-def]
    start = page.evaluate("() => window.stepgrad.frame().frame")
    for _ in range(frames):
        press(page, "#step", width)
    page.wait_for_function(f"() => window.stepgrad.frame().frame >= {start + frames}")


def page_loss(page) -> float:  # type: ignore[no-untyped-def]
    points = page.evaluate("() => window.stepgrad.ready().points.train.map((p) => [p[0], p[1]])")
    return float(page.evaluate(MEAN_LOSS, page.evaluate(FORWARD, points)))


def test_regression_has_a_linear_output_half_squared_error_and_a_value_colour_map(sized, server_url: str) -> None:  # type: ignore[no-untyped-def]
    page, width, _height = sized
    open_page(page, server_url + "?data=circle")
    page.focus("#problem")
    page.select_option("#problem", "regression")  # by keyboard and mouse alike: a native select
    page.wait_for_function("() => window.stepgrad.ready().config.data === 'plane'")
    assert page.eval_on_selector_all("#data option", "(os) => os.map((o) => o.value)") == [
        "plane",
        "multigauss",
        "classic",
    ]
    ready = page.evaluate("() => window.stepgrad.ready()")
    assert ready["problem"] == "regression" and ready["network"]["activations"][-1] == "linear"
    assert ready["network"]["loss"] == "half_squared_error"
    assert page.inner_text("#loss-name") == "Loss: half squared error"
    assert page.text_content("#loss-detail").startswith("half squared error, E = ½(target − out)² per output")
    train(page, 5, width)
    frame = page.evaluate("() => window.stepgrad.frame()")
    assert frame["loss"]["train"] == pytest.approx(page_loss(page), rel=1e-9)  # the loss is ½(t − o)², averaged
    shown = float(page.inner_text("#loss-train"))
    assert shown == pytest.approx(frame["loss"]["train"], rel=2e-3)
    # The map's top-left cell is the output at (x_lo, x2_hi), on the targets' scale.
    boundary = frame["maps"]["boundary"]
    assert boundary["kind"] == "value" and [boundary["lo"], boundary["hi"]] == ready["label_range"]
    x_lo, _x_hi, _y_lo, y_hi = ready["domain"]
    corner = page.evaluate(FORWARD, [[x_lo, y_hi]])[0][0]
    expected = min(max(corner, boundary["lo"]), boundary["hi"])
    byte = page.evaluate(BOUNDARY_BYTES)[0]
    scale = boundary["hi"] - boundary["lo"]
    assert boundary["lo"] + byte / 255 * scale == pytest.approx(expected, abs=scale / 255)
    screenshot(page, f"playground-regression-{width}", full_page=False)
    assert page.problems == []


def test_three_classes_have_a_softmax_output_and_coloured_regions(sized, server_url: str) -> None:  # type: ignore[no-untyped-def]
    page, width, _height = sized
    open_page(page, server_url + "?data=blobs3")
    ready = page.evaluate("() => window.stepgrad.ready()")
    assert ready["n_classes"] == 3 and ready["network"]["sizes"][-1] == 3
    assert ready["network"]["activations"][-1] == "softmax" and ready["network"]["loss"] == "cross_entropy"
    assert page.inner_text("#loss-name") == "Loss: cross entropy"
    assert "softmax output" in page.text_content("#loss-detail")
    assert page.locator("#legend .class-swatch").count() == 3
    train(page, 10, width)
    frame = page.evaluate("() => window.stepgrad.frame()")
    loss = frame["loss"]["train"]
    assert loss == pytest.approx(page_loss(page), rel=1e-9)  # −ln(softmax of the true class), averaged
    assert loss < math.log(3) / 2  # it learned: half of a uniform guess's loss
    classes = set(page.evaluate(BOUNDARY_BYTES))
    assert frame["maps"]["boundary"]["kind"] == "class" and classes == {0, 128, 255}  # class 0, 1, 2 regions
    screenshot(page, f"playground-three-classes-{width}", full_page=False)
    assert page.problems == []


def test_reset_keeps_the_initial_weights_and_new_weights_draws_others(sized, server_url: str) -> None:  # type: ignore[no-untyped-def]
    page, width, _height = sized
    open_page(page, server_url + "?data=circle&layers=3")
    weights = "() => JSON.stringify([window.stepgrad.frame().weights, window.stepgrad.frame().biases])"
    initial = page.evaluate(weights)
    train(page, 3, width)
    trained = page.evaluate(weights)
    assert trained != initial
    press(page, "#reset", width)
    page.wait_for_function("() => window.stepgrad.frame().updates === 0")
    assert page.evaluate(weights) == initial
    train(page, 3, width)
    assert page.evaluate(weights) == trained  # the same start and the same steps: the same weights, exactly
    points = page.evaluate("() => JSON.stringify(window.stepgrad.ready().points)")
    press(page, "#new-weights", width)
    page.wait_for_url("**init=**")
    page.wait_for_function("() => window.stepgrad.frame().updates === 0")
    other = page.evaluate(weights)
    assert other != initial and page.evaluate("() => JSON.stringify(window.stepgrad.ready().points)") == points
    page.reload()  # the link keeps the new weights
    page.wait_for_selector("body[data-state=ready]")
    assert page.evaluate(weights) == other
    assert page.problems == []


@pytest.mark.parametrize("gesture", ["mouse", "keyboard"])
def test_a_weight_edited_in_the_diagram_changes_the_network_and_the_step_through(
    sized,  # type: ignore[no-untyped-def]
    server_url: str,
    gesture: str,
) -> None:
    page, width, _height = sized
    open_page(page, server_url + "?data=circle&layers=2")
    press(page, "#explain", width)
    page.wait_for_selector("#step-card:not([hidden])")
    hit = "#net .edge-hit[data-name='w5']"
    if gesture == "keyboard":
        page.focus(hit)
        page.keyboard.press("Enter")
    elif width < 500:
        page.locator(hit).tap(force=True)  # at the connection's middle, where its value label also sits
    else:
        page.locator(hit).click(force=True)
    editor = page.locator("#weight-editor")
    assert editor.is_visible() and page.inner_text("#weight-editor-name") == "w5"
    now = page.evaluate("() => window.stepgrad.frame().weights[1][0][0]")  # w5: h1 → o1
    assert float(page.input_value("#weight-value")) == now
    if gesture == "keyboard":
        assert page.evaluate("() => document.activeElement.id") == "weight-value"
        page.keyboard.press("Control+A")
        page.keyboard.type("1.2345")
        page.keyboard.press("Enter")
    else:
        page.fill("#weight-value", "1.2345")
        press(page, "#weight-editor button[type=submit]", width)
    page.wait_for_function("() => window.stepgrad.frame().weights[1][0][0] === 1.2345")
    # The derivation is worked again from the new weight: its forward pass substitutes 1.2345 for w5,
    # and the output it computes is the page's own forward pass with the new weight.
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('#step-list .chip')).length > 0"
        " && document.querySelector('#chain-title').textContent === 'Chain rule for w5'"
    )
    page.click("#step-list .chip[data-name='net_o1']")
    assert "1.2345" in page.inner_text("#step-substituted")
    sample = page.evaluate("() => window.stepgrad.frame().sample")
    point = page.evaluate(f"() => window.stepgrad.ready().points.train[{sample}].slice(0, 2)")
    out = page.evaluate(FORWARD, [point])[0][0]
    page.click("#step-list .chip[data-name='out_o1']")
    assert float(page.inner_text("#step-result").split("=")[-1]) == pytest.approx(out, abs=1e-4)
    train(page, 1, width)  # training goes on from the edited weight
    assert page.evaluate("() => window.stepgrad.frame().weights[1][0][0]") != 1.2345
    screenshot(page, f"playground-edit-weight-{gesture}-{width}", full_page=False)
    assert page.problems == []


def test_a_csv_of_the_learners_own_points_is_trained_and_a_bad_one_is_named_in_one_line(
    sized,  # type: ignore[no-untyped-def]
    server_url: str,
    tmp_path: Path,
) -> None:
    page, width, _height = sized
    open_page(page, server_url + "?data=circle")
    rows = [(round(0.1 * (k % 7) - 0.3, 2), round(0.05 * (k % 11) - 0.25, 2), k % 3) for k in range(60)]
    good = tmp_path / "mine.csv"
    good.write_text("x1,x2,label\n" + "".join(f"{a},{b},{c}\n" for a, b, c in rows))
    page.set_input_files("#csv", str(good))
    page.wait_for_function("() => window.stepgrad.ready().config.data === 'upload'")
    assert page.inner_text("#csv-status") == "Your CSV: 60 samples, 3 classes."
    ready = page.evaluate("() => window.stepgrad.ready()")
    assert ready["n_train"] + ready["n_test"] == 60 and ready["n_classes"] == 3
    drawn = sorted((x, y, int(label)) for x, y, label in ready["points"]["train"] + ready["points"]["test"])
    assert drawn == sorted(rows)
    train(page, 2, width)
    assert page.evaluate("() => window.stepgrad.frame().loss.train") == pytest.approx(page_loss(page), rel=1e-9)
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,label\n0.1,0.2,0\n0.3,abc,1\n")
    page.set_input_files("#csv", str(bad))
    page.wait_for_function("() => document.querySelector('#csv-status').classList.contains('error')")
    assert page.inner_text("#csv-status") == "your CSV: line 3: column 'x2': 'abc' is not a finite number"
    assert page.evaluate("() => window.stepgrad.ready().n_train + window.stepgrad.ready().n_test") == 60  # kept
    large = tmp_path / "large.csv"
    large.write_text("x1,x2,label\n" + "0.1,0.2,1\n" * 8000)
    page.set_input_files("#csv", str(large))
    page.wait_for_function("() => document.querySelector('#csv-status').textContent.includes('larger than 64 KB')")
    screenshot(page, f"playground-csv-{width}", full_page=False)
    # The refused uploads' HTTP statuses (400, and none for the file the page kept back) are the only console lines.
    assert [p for p in page.problems if "status of 400" not in p] == []


@pytest.mark.parametrize("gesture", ["pointer", "keyboard"])
def test_a_pinned_run_keeps_its_loss_curve_beside_the_next_run(sized, server_url: str, gesture: str) -> None:  # type: ignore[no-untyped-def]
    page, width, _height = sized
    open_page(page, server_url + "?data=circle&layers=3")
    train(page, 4, width)
    loss = page.evaluate("() => window.stepgrad.frame().loss.train")
    if gesture == "keyboard":
        page.focus("#pin")
        page.keyboard.press("Enter")
    else:
        press(page, "#pin", width)
    assert page.is_visible("#pinned-row") and page.inner_text("#pin") == "unpin"
    assert "lr 0.3" in page.inner_text("#pinned-what")
    page.select_option("#lr", "0.03")
    page.wait_for_function("() => window.stepgrad.ready().config.learning_rate === 0.03")
    press(page, "#reset", width)
    page.wait_for_function("() => window.stepgrad.frame().updates === 0")
    train(page, 4, width)
    pinned = page.evaluate("() => window.stepgrad.pinned().history")
    assert len(pinned) == 5 and pinned[-1]["train"] == loss  # frames 0 … 4 of the first run, as they were
    assert page.evaluate("() => window.stepgrad.frame().loss.train") != loss  # the second run, at lr 0.03
    purple = page.evaluate(
        """() => { const c = document.getElementById("loss-chart");
        const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data; let n = 0;
        for (let k = 0; k < d.length; k += 4) if (Math.abs(d[k] - 123) < 30 && d[k + 1] < 110 && d[k + 2] > 130) n += 1;
        return n; }"""
    )
    assert purple > 20  # the pinned curve is drawn
    assert "Pinned run" in page.get_attribute("#loss-chart", "aria-label")
    screenshot(page, f"playground-pinned-{gesture}-{width}", full_page=False)
    press(page, "#pin", width)
    assert page.is_hidden("#pinned-row")
    assert page.problems == []


def test_l2_regularization_makes_the_weights_smaller(sized, server_url: str) -> None:  # type: ignore[no-untyped-def]
    page, width, _height = sized
    open_page(page, server_url + "?data=circle&layers=4")
    size = "() => window.stepgrad.frame().weights.flat(2).reduce((s, w) => s + w * w, 0)"
    train(page, 10, width)
    plain = page.evaluate(size)
    page.focus("#l2")
    page.select_option("#l2", "0.3")
    page.wait_for_url("**l2=0.3**")
    press(page, "#reset", width)
    page.wait_for_function("() => window.stepgrad.frame().updates === 0")
    train(page, 10, width)
    assert page.evaluate(size) < 0.8 * plain  # the same start and steps, with λ·w added to each gradient
    page.reload()
    page.wait_for_selector("body[data-state=ready]")
    assert page.input_value("#l2") == "0.3"
    assert page.problems == []
