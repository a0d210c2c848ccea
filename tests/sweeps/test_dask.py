"""Sweeps on Dask: a real scheduler and two workers (``--scheduler``), a ``LocalCluster``
(``--workers 2``), and a worker killed mid-sweep; every run's rows equal the single-process run's."""

import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from stepgrad.sweeps import run_grid
from support.sweeps import BIN, child_env, xor_spec

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]
GRID = ["lr=1,3", "activation=sigmoid,tanh"]
ARGS = [
    "sweep",
    "--data",
    "xor",
    "--layers",
    "2,2,1",
    "--seed",
    "3",
    "--no-progress",
    "--grid",
    GRID[0],
    "--grid",
    GRID[1],
]


def read(path) -> dict[str, np.ndarray]:
    table = pytest.importorskip("pyarrow.parquet").read_table(path)
    return {name: table[name].to_numpy() for name in table.column_names}


def assert_same_rows(written: dict[str, np.ndarray], expected: dict[str, np.ndarray]) -> None:
    assert list(written) == list(expected)
    for name, column in expected.items():
        assert np.array_equal(written[name], column), name


def sweep(tmp_path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BIN / "stepgrad", *ARGS, *extra], capture_output=True, text=True, cwd=tmp_path, env=child_env(), timeout=600
    )


def test_a_scheduler_with_two_workers_gives_the_single_process_rows(dask_cluster, tmp_path) -> None:
    result = sweep(
        tmp_path,
        "--epochs",
        "300",
        "--seeds",
        "6",
        "--chunk-size",
        "4",
        "--out",
        "s.parquet",
        "--scheduler",
        dask_cluster.address,
    )
    assert result.returncode == 0, result.stderr
    assert_same_rows(read(tmp_path / "s.parquet"), run_grid(xor_spec(GRID, per_point=6)))


def test_a_local_cluster_of_two_workers_gives_the_single_process_rows(tmp_path) -> None:
    result = sweep(
        tmp_path, "--epochs", "300", "--seeds", "6", "--chunk-size", "4", "--out", "s.parquet", "--workers", "2"
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # the cluster's own log stays quiet
    assert_same_rows(read(tmp_path / "s.parquet"), run_grid(xor_spec(GRID, per_point=6)))


LONG = ["--epochs", "2000", "--seeds", "60", "--chunk-size", "6", "--out", "s.parquet"]


def start_long_sweep(tmp_path, address: str) -> tuple[subprocess.Popen[str], Path]:
    """A 40-chunk sweep on the cluster at ``address``, returned once it has kept 4 chunks."""
    running = subprocess.Popen(
        [BIN / "stepgrad", *ARGS, *LONG, "--scheduler", address],
        cwd=tmp_path,
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    parts = tmp_path / "s.parquet.parts"
    while len(list(parts.glob("chunk-*.npz"))) < 4 and running.poll() is None:
        time.sleep(0.05)
    return running, parts


def test_a_worker_killed_mid_sweep_loses_and_duplicates_no_row(dask_cluster, tmp_path) -> None:
    running, parts = start_long_sweep(tmp_path, dask_cluster.address)
    victim = dask_cluster.workers[1]
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    assert len(list(parts.glob("chunk-*.npz"))) < 40  # killed mid-sweep, not after
    stdout, stderr = running.communicate(timeout=600)
    assert running.returncode == 0, stderr
    written = read(tmp_path / "s.parquet")
    assert len(written["point"]) == 4 * 60
    assert np.unique(written["point"] * 1000 + written["seed_index"]).size == 4 * 60
    assert_same_rows(written, run_grid(xor_spec(GRID, per_point=60, epochs=2000)))
    assert "wrote 240 rows to s.parquet" in stdout


def test_a_lost_scheduler_keeps_the_finished_chunks_and_a_rerun_in_one_process_completes(
    dask_cluster, tmp_path
) -> None:
    running, parts = start_long_sweep(tmp_path, dask_cluster.address)
    dask_cluster.scheduler.send_signal(signal.SIGKILL)
    _, stderr = running.communicate(timeout=300)
    kept = len(list(parts.glob("chunk-*.npz")))
    assert running.returncode == 2 and stderr.count("\n") == 1, stderr
    assert "lost the Dask cluster" in stderr and "rerun the same command to continue" in stderr
    assert 4 <= kept < 40 and not (tmp_path / "s.parquet").exists()
    resumed = sweep(tmp_path, *LONG)  # the same sweep, now in this process: the kept chunks count
    assert resumed.returncode == 0, resumed.stderr
    assert_same_rows(read(tmp_path / "s.parquet"), run_grid(xor_spec(GRID, per_point=60, epochs=2000)))
