"""A real Dask cluster for the sweep tests: a ``dask scheduler`` and two ``dask worker`` processes on
127.0.0.1, started from the venv's ``dask`` command and torn down after the test."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from support.sweeps import BIN, child_env, free_port


@dataclass
class DaskCluster:
    address: str
    scheduler: subprocess.Popen[bytes]
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)


def wait_for_workers(address: str, count: int) -> None:
    from dask.distributed import Client

    with Client(address, timeout="30s") as client:
        client.wait_for_workers(count, timeout=60)


@pytest.fixture
def dask_cluster(tmp_path: Path) -> Iterator[DaskCluster]:
    """A scheduler and two single-thread workers without nannies (a killed worker stays dead)."""
    pytest.importorskip("distributed")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = (tmp_path / "dask.log").open("wb")
    started: list[subprocess.Popen[bytes]] = []
    common = {"env": child_env(), "stdout": logs, "stderr": subprocess.STDOUT, "cwd": tmp_path}
    try:
        scheduler = subprocess.Popen(
            [BIN / "dask", "scheduler", "--host", "127.0.0.1", "--port", str(port), "--dashboard-address", ":0"],
            **common,  # type: ignore[arg-type]
        )
        started.append(scheduler)
        cluster = DaskCluster(address, scheduler)
        for _ in range(2):
            worker = subprocess.Popen(
                [
                    BIN / "dask",
                    "worker",
                    address,
                    "--nthreads",
                    "1",
                    "--no-nanny",
                    "--host",
                    "127.0.0.1",
                    "--no-dashboard",
                ],
                **common,  # type: ignore[arg-type]
            )
            started.append(worker)
            cluster.workers.append(worker)
        deadline = time.monotonic() + 60
        while True:
            try:
                wait_for_workers(address, 2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield cluster
    finally:
        for process in reversed(started):
            if process.poll() is None:
                process.terminate()
        for process in reversed(started):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        logs.close()
