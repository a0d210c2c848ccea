"""How many updates per second the live page shows in headless Chromium.

Goal (issue 5): ≥ 30 updates/s with a 2-8-8-1 network on 500 points and a 50×50 decision
boundary grid, on this 2-core machine. An "update" is a frame drawn by the page: the server
trains (up to one epoch, at most 25 mini-batch steps), sends weights, losses and every
neuron's heat-map, and the page draws the diagram, the boundary and the loss curve.

Run:  .venv/bin/python -m benchmarks.web_updates [--seconds 10]
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
QUERY = "data=circle&points=500&layers=8,8&act=tanh&opt=sgd&lr=0.3&batch=10&seed=1"
GOAL = 30.0


def server_compute_ms(frames: int = 200) -> float:
    """Mean milliseconds the server spends per frame (training + heat-maps), in-process."""
    from stepgrad.web.config import Limits, VizConfig
    from stepgrad.web.session import Session

    session = Session(Limits())
    session.configure(VizConfig(data="circle", points=500, layers=(8, 8)))
    session.train_frame()
    start = time.perf_counter()
    for _ in range(frames):
        json.dumps(session.train_frame())
    return (time.perf_counter() - start) / frames * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measuring time after a 3 s warm-up")
    args = parser.parse_args()
    stepgrad = Path(sys.executable).parent / "stepgrad"
    process = subprocess.Popen([str(stepgrad), "viz", "--port", "0"], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert process.stdout is not None
        match = re.search(r"(http://\S+?)/\?", process.stdout.readline())
        assert match is not None, "the server printed no URL"
        url = f"{match.group(1)}/?{QUERY}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url)
            page.wait_for_selector("body[data-state=ready]")
            sizes = page.evaluate("() => document.querySelectorAll('#net svg .neuron').length")
            page.click("#play")
            time.sleep(3.0)
            before = page.evaluate("() => window.stepgradStats.framesDrawn")
            start = time.perf_counter()
            time.sleep(args.seconds)
            after = page.evaluate("() => window.stepgradStats.framesDrawn")
            elapsed = time.perf_counter() - start
            shown = page.inner_text("#ups")
            loss = page.evaluate("() => window.stepgradStats.loss")
            browser.close()
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)
    rate = (after - before) / elapsed
    print(f"network 2-8-8-1 ({sizes} neurons drawn), 500 points, 50x50 boundary grid, headless Chromium")
    print(f"server compute per frame: {server_compute_ms():.2f} ms")
    print(f"updates drawn: {after - before} in {elapsed:.1f} s = {rate:.1f} updates/s (page counter shows {shown})")
    print(f"training loss after the run: {loss:.4f}")
    print(f"ratio to the goal of {GOAL:.0f} updates/s: {rate / GOAL:.2f}x  ({'PASS' if rate >= GOAL else 'FAIL'})")


if __name__ == "__main__":
    main()
