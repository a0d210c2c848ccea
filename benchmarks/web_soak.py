"""Many tabs at once: 50 WebSocket sessions training for 30 s against one ``stepgrad viz`` server.

Checks (issue 5): the server stays responsive (``/health`` latency while loaded), every
session keeps getting frames, memory stays bounded (server RSS before, during, after) and
every session is freed when its socket closes.

Run:  .venv/bin/python -m benchmarks.web_soak [--sessions 50] [--seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class SoakResult:
    """What a soak run measured."""

    frames: list[int] = field(default_factory=list)  # frames received per session
    errors: int = 0  # error replies received
    health_ms: list[float] = field(default_factory=list)  # /health round trips during the load
    rss_mb: list[float] = field(default_factory=list)  # server RSS samples during the load
    rss_before_mb: float = 0.0
    rss_after_mb: float = 0.0
    sessions_after: int = -1


def rss_mb(pid: int) -> float:
    """Resident memory of process ``pid`` in MiB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def health(base: str) -> dict:
    with urllib.request.urlopen(base + "health", timeout=30) as response:
        return json.load(response)


async def _tab(ws_url: str, index: int, stop: float, result: SoakResult) -> None:
    import websockets

    async with websockets.connect(ws_url, max_size=None) as ws:
        seq = 1
        config = {"data": ["circle", "xor2d", "gauss", "spiral"][index % 4], "layers": "8,8", "seed": index}
        await ws.send(json.dumps({"type": "config", "seq": seq, "config": config}))
        await ws.recv()
        frames = 0
        while time.monotonic() < stop:
            seq += 1
            await ws.send(json.dumps({"type": "train", "seq": seq}))
            reply = json.loads(await ws.recv())
            if reply["type"] == "frame":
                frames += 1
            else:
                result.errors += 1
            await asyncio.sleep(0.02)  # a page asks for at most one frame per animation frame
        result.frames.append(frames)


async def _probe(base: str, pid: int, stop: float, result: SoakResult) -> None:
    while time.monotonic() < stop:
        start = time.perf_counter()
        await asyncio.to_thread(health, base)
        result.health_ms.append((time.perf_counter() - start) * 1e3)
        result.rss_mb.append(rss_mb(pid))
        await asyncio.sleep(0.5)


async def soak(base: str, pid: int, sessions: int, seconds: float) -> SoakResult:
    """Run ``sessions`` training tabs for ``seconds`` against the server at ``base`` (``http://h:p/``)."""
    result = SoakResult(rss_before_mb=rss_mb(pid))
    ws_url = base.replace("http://", "ws://") + "ws"
    stop = time.monotonic() + seconds
    await asyncio.gather(_probe(base, pid, stop, result), *(_tab(ws_url, k, stop, result) for k in range(sessions)))
    await asyncio.sleep(0.5)
    result.sessions_after = health(base)["sessions"]
    result.rss_after_mb = rss_mb(pid)
    return result


def start_server() -> tuple[str, subprocess.Popen[str]]:
    stepgrad = Path(sys.executable).parent / "stepgrad"
    process = subprocess.Popen([str(stepgrad), "viz", "--port", "0"], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert process.stdout is not None
    match = re.search(r"(http://\S+?/)\?", process.stdout.readline())
    assert match is not None, "the server printed no URL"
    return match.group(1), process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    base, process = start_server()
    try:
        result = asyncio.run(soak(base, process.pid, args.sessions, args.seconds))
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)
    print(f"{args.sessions} sessions x {args.seconds:.0f} s, each 2-8-8-1 on 500 points, training without pause")
    print(
        f"frames per session: min {min(result.frames)}, median {statistics.median(result.frames):.0f}, "
        f"max {max(result.frames)} ({sum(result.frames) / args.seconds:.0f} frames/s served in all); "
        f"errors {result.errors}"
    )
    print(
        f"/health while loaded: median {statistics.median(result.health_ms):.0f} ms, max {max(result.health_ms):.0f} ms"
    )
    print(
        f"server RSS: before {result.rss_before_mb:.0f} MiB, max during {max(result.rss_mb):.0f} MiB, "
        f"after {result.rss_after_mb:.0f} MiB"
    )
    print(f"sessions open after all tabs closed: {result.sessions_after}")


if __name__ == "__main__":
    main()
