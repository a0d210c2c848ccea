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

#: The notebook both tests run: a widget trained 20 frames, then the same run trained by a page's Session.
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
        browser.close()
    assert "Traceback" not in (folder / "jupyterlab.log").read_text()
