"""The replay page and the ``stepgrad viz`` command (run as a subprocess)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from tests.web.conftest import STEPGRAD, running_server

from stepgrad.network import classic_setup
from stepgrad.network.files import save_setup
from stepgrad.training.loops import repeat_steps
from stepgrad.web.config import Limits, VizConfig
from stepgrad.web.export import export_html, record_run
from stepgrad.web.server import network_address


def embedded_run(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="run">(.*?)</script>', html, re.S)
    assert match is not None
    return json.loads(match.group(1))


def test_recorded_run_starts_untrained_and_learns() -> None:
    run = record_run(VizConfig(data="circle"), frames=30, limits=Limits(), every=2)
    frames = run["frames"]
    assert len(frames) == 31 and frames[0]["updates"] == 0 and frames[-1]["updates"] == 60 * 25
    assert frames[-1]["loss"]["train"] < 0.5 * frames[0]["loss"]["train"]
    assert run["ready"]["config"]["data"] == "circle" and "frame" not in run["ready"]


def test_exported_page_is_self_contained() -> None:
    html = export_html(VizConfig(data="xor2d", layers=(3,)), frames=5)
    assert embedded_run(html)["ready"]["network"]["sizes"] == [2, 3, 1]
    assert "/*DRAW*/" not in html and "/*RUN*/" not in html and "StepgradDraw" in html
    # No request can leave the page: no external scripts, styles, images or sockets.
    assert re.search(r'(src|href)="(?!data:)', html) is None
    without_namespace = html.replace('"http://www.w3.org/2000/svg"', "")  # an XML name, never fetched
    assert "WebSocket" not in html and "http://" not in without_namespace and "https://" not in html


def test_cli_export_writes_the_page(tmp_path: Path) -> None:
    target = tmp_path / "run.html"
    result = subprocess.run(
        [str(STEPGRAD), "viz", "--data", "gauss", "--layers", "2", "--frames", "4", "--export", str(target)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert f"wrote {target}" in result.stdout and ", 4 frames)" in result.stdout
    assert len(embedded_run(target.read_text(encoding="utf-8"))["frames"]) == 5  # the start and 4 recorded


def test_exported_classic_replay_equals_stepgrad_train() -> None:
    config = VizConfig(data="classic", layers=(2,), activation="sigmoid", learning_rate=0.5, batch_size=1)
    frames = record_run(config, frames=50, limits=Limits(), every=2)["frames"]
    assert frames[0]["loss"]["train"] == pytest.approx(0.298371109, abs=5e-10)
    assert [frame["updates"] for frame in frames[:3]] == [0, 2, 4]
    for index in (1, 10, 50):  # 2, 20 and 100 updates
        expected = repeat_steps(classic_setup(), 2 * index, use_compiled=False)
        assert frames[index]["loss"]["train"] == pytest.approx(expected.error, rel=1e-13)
        assert frames[index]["biases"] == [[0.35], [0.6]]  # frozen in the classic network


def test_exported_classic_replay_does_not_describe_generated_data() -> None:
    html = export_html(VizConfig(data="classic", layers=(2,), learning_rate=0.5, batch_size=1), frames=2)
    replay = html[html.index("function description()") :]
    classic_branch = replay[: replay.index('if (c.data === "file")')]
    assert "classic worked example" in classic_branch
    for word in ("points", "noise", "for training;"):
        assert word not in classic_branch


def _viz(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(STEPGRAD), "viz", *args], capture_output=True, text=True, timeout=60, env=env)


@pytest.mark.parametrize("port", ["99999", "-1", "65536"])
def test_cli_refuses_a_port_out_of_range_in_one_line(port: str) -> None:
    result = _viz("--port", port)
    assert result.returncode == 2
    assert result.stderr.strip() == f"stepgrad: error: options: --port must be between 0 and 65535, got {port}"
    assert result.stdout == ""


def test_cli_refuses_a_network_file_over_the_caps_in_one_line(tmp_path: Path) -> None:
    from stepgrad.network import Layer, Network, Setup

    path = tmp_path / "big.json"
    hidden = Layer(weights=[[0.1, 0.2, 0.3]] * 10, bias=0.1, activation="tanh")
    output = Layer(weights=[[0.1] * 10], bias=0.0)
    save_setup(Setup(Network((hidden, output), "half_squared_error"), [[0.1, 0.2, 0.3]], [[1.0]], 0.1), path)
    for args in ([str(path)], [str(path), "--export", str(tmp_path / "out.html")]):
        result = _viz(*args)
        assert result.returncode == 2, result.stdout
        assert result.stderr.strip() == (
            f"stepgrad: error: {path}: the network has 10 neurons in layer 1; the page shows at most 8 per layer"
        )
    assert not (tmp_path / "out.html").exists()


def test_cli_open_without_a_display_says_so() -> None:
    env = {key: value for key, value in os.environ.items() if key not in ("DISPLAY", "WAYLAND_DISPLAY")}
    with running_server("--open", env=env) as (url, process):
        with urllib.request.urlopen(url.split("?")[0] + "health", timeout=10):
            pass  # serving: everything said at start-up has been said
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)
        assert process.stderr is not None
        err = process.stderr.read()
    assert "--open: no display here" in err and "open the URL above" in err


def test_cli_on_every_interface_prints_a_usable_url_and_refuses_foreign_hosts() -> None:
    with running_server("--host", "0.0.0.0") as (url, process):
        assert url.startswith("http://127.0.0.1:")
        base = url.split("?")[0]
        with urllib.request.urlopen(base + "health", timeout=10) as response:
            assert json.load(response)["status"] == "ok"
        port = base.rstrip("/").rsplit(":", 1)[1]
        address = network_address()
        if address is not None:
            own = urllib.request.Request(f"http://{address}:{port}/health")
            with urllib.request.urlopen(own, timeout=10) as response:
                assert json.load(response)["status"] == "ok"
        for host in (f"evil.example:{port}", f"203.0.113.9:{port}"):
            foreign = urllib.request.Request(base + "health", headers={"Host": host})
            with pytest.raises(urllib.error.HTTPError) as caught:
                urllib.request.urlopen(foreign, timeout=10)
            assert caught.value.code == 403
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)
        assert process.stdout is not None
        out = process.stdout.read()  # the lines after the first (which gave the URL)
    assert "listening on every interface" in out
    if address is not None:
        assert f"on your network: http://{address}:{port}/?data=circle" in out


def test_cli_refuses_a_config_over_the_caps_in_one_line() -> None:
    result = subprocess.run([str(STEPGRAD), "viz", "--layers", "4,99"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == "stepgrad: error: options: at most 8 neurons per layer"


def test_cli_serves_on_a_free_port_and_stops_cleanly_on_ctrl_c() -> None:
    with running_server("--data", "spiral", "--layers", "6,3") as (url, process):
        assert re.match(r"http://127\.0\.0\.1:\d+/\?data=spiral&.*layers=6,3", url)
        base = url.split("?")[0]
        with urllib.request.urlopen(base + "health", timeout=10) as response:
            assert json.load(response) == {"status": "ok", "sessions": 0, "exports": 0}
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
        assert process.returncode == 0, err
        assert "stepgrad viz: stopped" in out


def test_the_server_answers_a_deeply_nested_message_and_logs_no_traceback() -> None:
    from websockets.sync.client import connect

    with running_server() as (url, process):
        address = url.split("?")[0].replace("http://", "ws://") + "ws"
        with connect(address) as ws:
            ws.send(json.dumps({"type": "config", "seq": 1, "config": {"data": "xor2d", "layers": "3"}}))
            assert json.loads(ws.recv(timeout=30))["type"] == "ready"
            ws.send("[" * 5000 + "]" * 5000)  # 10 KB, under the 16 KB cap
            error = json.loads(ws.recv(timeout=30))
            assert error["type"] == "error" and error["code"] == "invalid" and "too deeply" in error["message"]
            ws.send(json.dumps({"type": "train", "seq": 2}))
            assert json.loads(ws.recv(timeout=30))["type"] == "frame"  # the same connection goes on
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
    assert process.returncode == 0 and "stepgrad viz: stopped" in out
    assert "Traceback" not in err and "RecursionError" not in err, err
