"""``stepgrad sweep --grid …`` as a subprocess: the table it writes, its summary, its refusals, that it
imports nothing of Dask without --workers/--scheduler, and a killed run that resumes."""

import csv
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from stepgrad.sweeps import run_grid
from support.sweeps import BIN, child_env, xor_spec

GRID = ["--grid", "lr=1,3", "--grid", "activation=sigmoid,tanh"]
BASE = ["sweep", "--data", "xor", "--layers", "2,2,1", "--epochs", "300", "--seed", "3", "--no-progress"]


def stepgrad(*args: str, cwd) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BIN / "stepgrad", *args], capture_output=True, text=True, cwd=cwd, env=child_env(), timeout=300
    )


def read_csv(path) -> dict[str, list[str]]:
    with open(path, newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    return {name: [row[name] for row in rows] for name in rows[0]}


def test_the_cli_writes_the_rows_run_grid_computes_and_summarises_each_point(tmp_path) -> None:
    result = stepgrad(*BASE, *GRID, "--seeds", "4", "--out", "sweep.csv", "--hist", "losses.png", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    expected = run_grid(xor_spec(["lr=1,3", "activation=sigmoid,tanh"], per_point=4))
    written = read_csv(tmp_path / "sweep.csv")
    assert [float(v) for v in written["loss"]] == expected["loss"].tolist()
    assert written["activation"] == expected["activation"].tolist()
    assert [v == "True" for v in written["converged"]] == expected["converged"].tolist()
    assert "4 networks 2-2-1 per point on xor" in result.stdout
    assert "wrote 16 rows to sweep.csv" in result.stdout
    summary = [line for line in result.stdout.splitlines() if "sigmoid" in line or "tanh" in line]
    assert len(summary) == 4  # a row per grid point, in point order, with its share converged
    for point, line in enumerate(summary):
        rows = expected["point"] == point
        assert f"{expected['converged'][rows].mean():.1%}" in line
    assert (tmp_path / "losses.png").read_bytes()[:4] == b"\x89PNG"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["losses.png", "sweep.csv"]  # the parts folder is gone


def test_without_workers_or_scheduler_nothing_of_dask_is_imported(tmp_path) -> None:
    code = (
        "import sys\nfrom stepgrad.cli.main import main\n"
        f"sys.argv = ['stepgrad', *{[*BASE, *GRID, '--seeds', '2', '--out', 'sweep.parquet']!r}]\n"
        "try:\n    main()\nexcept SystemExit as stop:\n    assert not stop.code, stop.code\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] in ('dask', 'distributed')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=child_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"
    assert (tmp_path / "sweep.parquet").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--grid", "speed=1"], "--grid 'speed' is not a setting a grid can vary"),
        (["--lr", "1,2", "--grid", "hidden=2,3"], "--lr with several rates cycles them over one ensemble"),
        (["--out", "sweep.txt"], "sweep.txt: --out must end in .parquet or .csv"),
        (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "give --workers"),
        (["--grid", "lr=1,2", "--plot", "map.png"], "--plot draws convergence over two grid axes"),
    ],
)
def test_mistakes_are_one_line_and_exit_2(args, message, tmp_path) -> None:
    result = stepgrad(*BASE, "--seeds", "2", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("stepgrad: error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_another_sweeps_parts_are_refused_not_mixed_in(tmp_path) -> None:
    (tmp_path / "sweep.csv.parts").mkdir()
    (tmp_path / "sweep.csv.parts" / "manifest.json").write_text('{"grid": []}')
    result = stepgrad(*BASE, *GRID, "--seeds", "2", "--out", "sweep.csv", cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "sweep.csv.parts: holds the finished chunks of a different sweep" in result.stderr
    assert not (tmp_path / "sweep.csv").exists()


@pytest.mark.slow
def test_a_killed_sweep_resumes_and_ends_as_an_uninterrupted_one(tmp_path) -> None:
    args = [*BASE, "--epochs", "1000", *GRID, "--grid", "init-scale=0.5,1,2", "--seeds", "24", "--chunk-size", "6"]
    (tmp_path / "whole").mkdir()
    (tmp_path / "killed").mkdir()
    assert stepgrad(*args, "--out", "sweep.parquet", cwd=tmp_path / "whole").returncode == 0
    parts = tmp_path / "killed" / "sweep.parquet.parts"
    running = subprocess.Popen(
        [BIN / "stepgrad", *args, "--out", "sweep.parquet"],
        cwd=tmp_path / "killed",
        env=child_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while len(list(parts.glob("chunk-*.npz"))) < 3 and running.poll() is None:
            time.sleep(0.05)
        running.send_signal(signal.SIGKILL)
    finally:
        running.wait()
    kept = len(list(parts.glob("chunk-*.npz")))
    assert 3 <= kept < 48 and not (tmp_path / "killed" / "sweep.parquet").exists()
    resumed = stepgrad(*args, "--out", "sweep.parquet", cwd=tmp_path / "killed")
    assert resumed.returncode == 0, resumed.stderr
    pyarrow_parquet = pytest.importorskip("pyarrow.parquet")
    whole = pyarrow_parquet.read_table(tmp_path / "whole" / "sweep.parquet")
    again = pyarrow_parquet.read_table(tmp_path / "killed" / "sweep.parquet")
    assert again.num_rows == 12 * 24 and again.equals(whole)
    assert np.unique(np.asarray(again["point"]) * 100 + np.asarray(again["seed_index"])).size == 12 * 24
