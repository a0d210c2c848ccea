"""The replay page and the ``stepgrad viz`` command (run as a subprocess)."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import urllib.request
from pathlib import Path

from tests.web.conftest import STEPGRAD, running_server

from stepgrad.web.config import Limits, VizConfig
from stepgrad.web.export import export_html, record_run


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
    assert f"wrote {target}" in result.stdout
    assert len(embedded_run(target.read_text(encoding="utf-8"))["frames"]) == 5


def test_cli_refuses_a_config_over_the_caps_in_one_line() -> None:
    result = subprocess.run([str(STEPGRAD), "viz", "--layers", "4,99"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == "stepgrad: error: options: at most 8 neurons per layer"


def test_cli_serves_on_a_free_port_and_stops_cleanly_on_ctrl_c() -> None:
    with running_server("--data", "spiral", "--layers", "6,3") as (url, process):
        assert re.match(r"http://127\.0\.0\.1:\d+/\?data=spiral&.*layers=6,3", url)
        base = url.split("?")[0]
        with urllib.request.urlopen(base + "health", timeout=10) as response:
            assert json.load(response) == {"status": "ok", "sessions": 0}
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
        assert process.returncode == 0, err
        assert "stepgrad viz: stopped" in out
