"""The output and its parts folder: resuming from kept chunks, refusing another sweep's folder,
and tables that pandas and DuckDB read back."""

import numpy as np
import pytest

from stepgrad.errors import StepgradError
from stepgrad.sweeps import run_grid
from stepgrad.sweeps.run_chunk import run_chunk
from stepgrad.sweeps.store import PartStore, parts_folder
from support.sweeps import xor_spec

GRID = ["lr=1,3", "activation=sigmoid,tanh"]


def test_a_rerun_reads_the_kept_chunks_and_trains_only_the_rest(tmp_path) -> None:
    spec = xor_spec(GRID, per_point=4, chunk_size=2)
    out = tmp_path / "sweep.csv"
    store = PartStore(parts_folder(out), spec)
    chunk = spec.chunks()[3]
    kept = run_chunk(spec, chunk)
    kept["loss"] = np.full(chunk.size, 42.0)  # marked, so the rows show where they came from
    store.save(chunk, kept)
    seen = []
    table = run_grid(spec, out, progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (2, 16) and seen[-1] == (16, 16) and len(seen) == 8  # one start, 7 chunks trained
    marked = table["loss"] == 42.0
    assert marked.sum() == 2 and set(table["seed_index"][marked]) == {2, 3} and set(table["point"][marked]) == {1}
    assert out.exists() and not parts_folder(out).exists()


def test_another_sweeps_parts_folder_is_refused_in_one_line(tmp_path) -> None:
    out = tmp_path / "sweep.csv"
    PartStore(parts_folder(out), xor_spec(GRID, per_point=4))
    with pytest.raises(StepgradError, match=r"different sweep \(grid differ\); rerun that command") as caught:
        run_grid(xor_spec(["lr=1,2"], per_point=4), out)
    assert str(parts_folder(out)) in str(caught.value) and not out.exists()
    with pytest.raises(StepgradError, match="chunk size, networks per point differ"):
        run_grid(xor_spec(GRID, per_point=5, chunk_size=2), out)


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_pandas_and_duckdb_read_the_table_back(tmp_path, suffix) -> None:
    pandas = pytest.importorskip("pandas")
    duckdb = pytest.importorskip("duckdb")
    out = tmp_path / f"sweep{suffix}"
    table = run_grid(xor_spec(GRID, per_point=3), out)
    frame = pandas.read_parquet(out) if suffix == ".parquet" else pandas.read_csv(out)
    assert list(frame.columns) == [
        "point",
        "lr",
        "activation",
        "seed_index",
        "seed",
        "loss",
        "accuracy",
        "converged",
        "diverged",
        "epochs",
    ]
    for name, column in table.items():
        assert np.array_equal(frame[name].to_numpy(), column), name
    reader = "read_parquet" if suffix == ".parquet" else "read_csv_auto"
    rates = duckdb.sql(
        f"select activation, lr, avg(converged::int) as rate, count(*) as n from {reader}('{out}') "
        "group by all order by activation, lr"
    ).fetchall()
    assert [(a, lr, n) for a, lr, _, n in rates] == [
        ("sigmoid", 1.0, 3),
        ("sigmoid", 3.0, 3),
        ("tanh", 1.0, 3),
        ("tanh", 3.0, 3),
    ]
    for activation, lr, rate, _ in rates:
        rows = (table["activation"] == activation) & (table["lr"] == lr)
        assert rate == pytest.approx(table["converged"][rows].mean())
