"""How many updates per second the live page shows in headless Chromium.

Goal (issue 5): ≥ 30 updates/s with a 2-8-8-1 network on 500 points and a 50×50 decision
boundary grid, on this 2-core machine. An "update" is one optimizer step (one mini-batch of
10 samples), what the page's "Updates/s" counter shows. Updates reach the screen in frames: the
server trains up to one epoch (at most 25 updates), sends weights, losses and every neuron's
heat-map, and the page draws the diagram, the boundary and the loss curve. Both rates are
printed; the frame rate is the page's redraw rate (also ≥ 30 is the aim there, so the picture
moves smoothly).

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
            read = "() => ({frames: window.stepgradStats.framesDrawn, updates: window.stepgrad.frame().updates})"
            before = page.evaluate(read)
            start = time.perf_counter()
            time.sleep(args.seconds)
            after = page.evaluate(read)
            elapsed = time.perf_counter() - start
            shown = page.inner_text("#ups"), page.inner_text("#fps")
            loss = page.evaluate("() => window.stepgradStats.loss")
            browser.close()
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)
    updates = (after["updates"] - before["updates"]) / elapsed
    frames = (after["frames"] - before["frames"]) / elapsed
    print(f"network 2-8-8-1 ({sizes} neurons drawn), 500 points, 50x50 boundary grid, headless Chromium")
    print(f"server compute per frame: {server_compute_ms():.2f} ms")
    print(
        f"optimizer updates: {after['updates'] - before['updates']} in {elapsed:.1f} s = {updates:.0f} updates/s "
        f"(page counter shows {shown[0]})"
    )
    print(f"frames drawn: {after['frames'] - before['frames']} = {frames:.1f} frames/s (page counter shows {shown[1]})")
    print(f"training loss after the run: {loss:.4f}")
    verdict = {True: "PASS", False: "FAIL"}
    print(f"ratio to the goal of {GOAL:.0f} updates/s: {updates / GOAL:.1f}x  ({verdict[updates >= GOAL]})")
    print(f"frames per second against the same {GOAL:.0f}: {frames / GOAL:.2f}x  ({verdict[frames >= GOAL]})")


if __name__ == "__main__":
    main()
