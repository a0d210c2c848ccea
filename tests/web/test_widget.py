"""The notebook widget: the page's drawing code from the package, a real kernel, and JupyterLab in Chromium."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
STATIC = ROOT / "src" / "stepgrad" / "web" / "static"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"

#: The notebook both tests run: a widget trained 20 frames, then the same run trained by a page's Session,
#: then the widget's chain rule of w5 for sample 2 beside `stepgrad.explain` of that run's network and sample.
CELLS = [
    """import json, sys
import stepgrad
assert "anywidget" not in sys.modules  # stepgrad.widget imports it when first used
w = stepgrad.widget(data="xor2d", layers=[4], seed=3)
start = w.loss
w.step(20)
w""",
    """from stepgrad.web.config import Limits, parse_config
from stepgrad.web.session import Session
run = Session(Limits())  # the page's run with the same settings, as a tab's query string gives them
settings = {"data": "xor2d", "layers": [4], "seed": 3}
run.configure(parse_config(settings, run.datasets(), Limits()), given=set(settings))
for _ in range(20):
    frame = run.train_frame()
assert w.weights == frame["weights"] and w.biases == frame["biases"]
assert (w.loss, w.test_loss, w.epoch) == (frame["loss"]["train"], frame["loss"]["test"], frame["epoch"])
print(json.dumps({"start": start, "loss": w.loss, "epoch": w.epoch, "model": w.model_id}))""",
    """from stepgrad.derivations.step import format_number
w.explain("w5", sample=2)
reference = stepgrad.explain(run.current_network(), run.split.train_inputs[2], run.split.train_targets[2],
                             learning_rate=run.config.learning_rate)
shown = {step["name"]: step["value"] for step in w.step_through["steps"]}
assert {"dE_total/dw5", "w5+"} <= set(shown), shown
assert shown == {name: format_number(reference.step(name).value) for name in shown}
print(json.dumps({"reference": {step.name: format_number(step.value) for step in reference.steps}}))""",
]


def notebook():  # type: ignore[no-untyped-def]
    nbformat = pytest.importorskip("nbformat")
    book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in CELLS])
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return book


def kernel_env() -> dict[str, str]:
    """This checkout's source first on the kernel's path."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}


def test_import_stepgrad_does_not_import_anywidget() -> None:
    code = "import sys, stepgrad; stepgrad.explain; print('anywidget' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=kernel_env())
    assert run.stdout.strip() == "False", run.stderr


def test_the_view_is_the_pages_drawing_code_read_from_the_package() -> None:
    pytest.importorskip("anywidget")
    from stepgrad.web.widget import widget_script, widget_style

    script = widget_script()
    assert (STATIC / "layout.js").read_text() in script and (STATIC / "draw.js").read_text() in script
    assert script.index("window.StepgradLayout =") < script.index("window.StepgradDraw =")
    style = widget_style()
    assert style.startswith(".stepgrad-widget {") and ":root" not in style  # nested: the notebook's page is left alone


def test_step_trains_and_syncs_what_the_view_draws() -> None:
    pytest.importorskip("anywidget")
    import stepgrad

    w = stepgrad.widget(data="circle", layers=[3], seed=5, points=100)
    start = (w.loss, [list(row) for row in w.weights[0]])
    w.step(3)
    assert w.loss is not None and start[0] is not None and w.loss < start[0]
    assert w.weights[0] != start[1] and w.frame["weights"] == w.weights
    assert [point["epoch"] for point in w.history] == [0.0, 1.0, 2.0, 3.0] and w.epoch == 3.0
    assert w.history[-1]["train"] == w.loss
    assert w.network.layers[0].weights.tolist() == w.weights[0]
    w.reset()
    assert (w.loss, w.weights[0], len(w.history)) == (start[0], start[1], 1)


def _number(text: str) -> float:
    return float(text.replace("−", "-"))


def test_explain_shows_the_chain_rule_stepgrad_explain_computes() -> None:
    pytest.importorskip("anywidget")
    import stepgrad

    w = stepgrad.widget(data="circle", layers=[3, 2], seed=4, points=100).step(4)
    w.explain("w3", sample=5)
    reference = stepgrad.explain(
        w.network,
        w.session.split.train_inputs[5],
        w.session.split.train_targets[5],
        learning_rate=w.session.config.learning_rate,
    )
    chain = w.step_through
    assert (chain["weight"], chain["sample"], w.frame["sample"]) == ("w3", 5, 5)
    names = [step["name"] for step in chain["steps"]]
    assert names[-2:] == ["dE_total/dw3", "w3+"] and "delta_o1" in names
    for step in chain["steps"]:
        assert _number(step["value"]) == pytest.approx(reference.step(step["name"]).value, rel=1e-8, abs=1e-12)
    assert w.derivation.step("w3+").value == reference.step("w3+").value
    assert len(w.history) == 5  # choosing a sample is no point of the loss curve
    before = chain["steps"][-1]["value"]
    w.step(1)  # the chain rule is worked again from the trained weights
    assert w.step_through["weight"] == "w3" and w.step_through["steps"][-1]["value"] != before
    w.select(7)
    assert w.step_through["sample"] == 7 and w.frame["sample"] == 7


def test_a_click_in_the_view_opens_the_chain_rule_or_says_why_not() -> None:
    pytest.importorskip("anywidget")
    import stepgrad

    w = stepgrad.widget(data="xor2d", layers=[2], seed=1)
    w._on_view_message(w, {"pick": "b3"}, [])  # what the view sends when bias b3 is clicked
    assert w.step_through["weight"] == "b3" and w.step_through["steps"][-1]["name"] == "b3+"
    w._on_view_message(w, {"pick": "w99"}, [])
    assert w.step_through == {"weight": "w99", "error": "no weight named 'w99' in this derivation"}
    wide = stepgrad.widget(data="spiral")  # 8 neurons per layer: wider than step-through allows
    wide._on_view_message(wide, {"pick": "w1"}, [])
    assert "at most 4 neurons" in wide.step_through["error"] and wide.derivation is None


def test_a_setting_the_page_refuses_is_named() -> None:
    pytest.importorskip("anywidget")
    import stepgrad
    from stepgrad.web.config import ConfigError

    with pytest.raises(ConfigError, match="unknown dataset 'nope'"):
        stepgrad.widget(data="nope")
    with pytest.raises(ConfigError, match="learning rate"):
        stepgrad.widget(learning_rate=50)


@pytest.mark.slow
def test_a_real_kernel_runs_the_widget_and_the_client_receives_its_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("anywidget")
    book = notebook()
    monkeypatch.setenv("PYTHONPATH", kernel_env()["PYTHONPATH"])  # the kernel inherits this process's environment
    client = nbclient.NotebookClient(
        book, timeout=180, kernel_name="python3", store_widget_state=True, resources={"metadata": {"path": tmp_path}}
    )
    client.execute()
    printed = json.loads(book.cells[1].outputs[0]["text"])
    assert printed["loss"] < printed["start"] and printed["epoch"] == 20.0
    view = next(output for output in book.cells[0].outputs if WIDGET_VIEW in output.get("data", {}))
    assert view["data"][WIDGET_VIEW]["model_id"] == printed["model"]
    # what the kernel sent over the comm, as the notebook client holds it
    state = book.metadata["widgets"][WIDGET_STATE]["state"][printed["model"]]["state"]
    assert state["loss"] == printed["loss"] and state["epoch"] == 20.0 and len(state["history"]) == 21
    assert state["frame"]["weights"] == state["weights"] and state["ready"]["network"]["sizes"] == [2, 4, 1]
    reference = json.loads(book.cells[2].outputs[0]["text"])["reference"]
    chain = state["step_through"]
    assert (chain["weight"], chain["sample"]) == ("w5", 2)
    assert {step["name"]: step["value"] for step in chain["steps"]}.items() <= reference.items()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture()
def jupyterlab(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """JupyterLab serving ``tmp_path`` on a free port with a token; yields the URL of ``widget.ipynb``."""
    pytest.importorskip("jupyterlab")
    nbformat = pytest.importorskip("nbformat")
    nbformat.write(notebook(), str(tmp_path / "widget.ipynb"))
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **kernel_env(),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"),
    }
    command = [
        *(sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--port={port}"),
        *(f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={tmp_path}"),
        *(f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}", "--LabApp.news_url=None"),
        "--LabApp.extension_manager=readonly",  # no package index queries
        *(["--allow-root"] if os.geteuid() == 0 else []),
    ]
    log = (tmp_path / "jupyterlab.log").open("w")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(120):  # JupyterLab takes a few seconds to start
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if process.poll() is not None:
                    raise AssertionError((tmp_path / "jupyterlab.log").read_text()) from None
                time.sleep(0.5)
        yield f"{base}/lab/tree/widget.ipynb?token={token}", tmp_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.mark.slow
@pytest.mark.browser
def test_jupyterlab_renders_the_widget(jupyterlab: tuple[str, Path]) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    pytest.importorskip("anywidget")
    require_chromium()
    url, folder = jupyterlab
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
        page.locator(".jp-StatusBar-Widget", has_text="Idle").first.wait_for(timeout=60_000)  # the kernel is up
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        widget = page.locator(".stepgrad-widget")
        widget.locator(".net svg").first.wait_for(timeout=60_000)
        page.locator(".jp-OutputArea-output pre", has_text='"epoch": 20.0').wait_for(timeout=60_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "widget-jupyterlab.png"), full_page=True)
        assert widget.locator(".epoch").inner_text() == "20"
        # the diagram: inputs X1, X2, hidden h1…h4, output o1, the 12 weights named; the output plot painted
        labels = widget.locator(".net").inner_text()
        assert all(name in labels for name in ("X1", "X2", "h4", "o1", "w12", "b5")), labels
        painted = widget.locator("canvas.boundary").evaluate(
            """(canvas) => {
                const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
                let coloured = 0;
                for (let k = 0; k < data.length; k += 4) if (Math.abs(data[k] - data[k + 2]) > 40) coloured++;
                return coloured;
            }"""
        )
        assert painted > 1000
        # the chain rule of w5 the notebook asked for, then the one of the connection clicked: worked by the kernel
        printed = page.locator(".jp-OutputArea-output pre", has_text='"reference"')
        printed.wait_for(timeout=60_000)
        reference = json.loads(printed.inner_text())["reference"]
        chain = widget.locator(".chain")
        chain.locator(".chain-title", has_text="Chain rule for w5").wait_for(timeout=30_000)
        widget.locator(".edge-hit[data-name='w12']").click(force=True)  # h4→o1: no connection crosses its middle
        chain.locator(".chain-title", has_text="Chain rule for w12").wait_for(timeout=30_000)
        results = chain.locator(".chain-result").all_inner_texts()
        assert f"dE_total/dw12 = {reference['dE_total/dw12']}" in results and results[-1].startswith("w12+ = "), results
        assert widget.locator(".net .edge.hl[data-name='w12']").count() == 1  # the diagram marks what it involves
        page.screenshot(path=str(ARTIFACTS / "widget-jupyterlab-chain.png"), full_page=True)
        browser.close()
    assert "Traceback" not in (folder / "jupyterlab.log").read_text()
