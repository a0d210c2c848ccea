"""sweep-scaling: one XOR grid (2-2-1, lr × init-scale × activation) trained in this process and on
1 and 2 local Dask workers; networks per second, per core, and the speed-up.

The single-process ensemble path (``fit_ensemble`` per grid point, the compiled kernel's threads on
every core) is the baseline: Dask's overhead is what the workers lose against it per core.
"""

from __future__ import annotations

import os
import time
from typing import Any

from benchmarks.common import TaskResult, best_time, format_seconds

GRID = ["lr=0.5,1,2,4", "init-scale=0.5,1,2", "activation=sigmoid,tanh"]
PER_POINT, EPOCHS = 500, 1000


def make_spec(per_point: int, epochs: int) -> Any:
    from stepgrad.sweeps import SweepSpec

    return SweepSpec.on_dataset("xor", (2, 2, 1), GRID, per_point, epochs, chunk_size=per_point)


def run_fit_ensemble(spec: Any) -> None:
    """Each grid point as one ``fit_ensemble`` call (init-scale 1 for every point: it changes no cost)."""
    from stepgrad.sweeps.seeds import network_seeds
    from stepgrad.training import fit_ensemble

    for point in range(spec.grid.size):
        settings = spec.point_settings(point)
        fit_ensemble(
            [2, 2, 1],
            spec.inputs,
            spec.targets,
            seeds=[int(s) for s in network_seeds(0, point, 0, spec.per_point)],
            learning_rates=settings["lr"],
            activation=settings["activation"],
            output_activation="sigmoid",
            epochs=spec.training["epochs"],
            batch_size=None,
            task="classification",
        )


def local_cluster(workers: int) -> Any:
    import logging

    from dask.distributed import LocalCluster

    return LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.ERROR,
        env={"NUMBA_NUM_THREADS": "1"},
    )


def run(quick: bool) -> TaskResult:
    from stepgrad.sweeps import run_grid

    spec = make_spec(100 if quick else PER_POINT, 200 if quick else EPOCHS)
    repeats = 1 if quick else 3
    nets = spec.size
    cores = os.cpu_count() or 1
    run_grid(make_spec(4, 2))  # load the compiled kernel before timing
    rows: list[tuple[str, float, int]] = []
    seconds, _ = best_time(lambda: run_fit_ensemble(spec), repeats)
    rows.append(("`fit_ensemble` per grid point, one process (baseline)", seconds, cores))
    seconds, _ = best_time(lambda: run_grid(spec), repeats)
    rows.append(("`run_grid`, one process (chunks in turn)", seconds, cores))
    for workers in (1, 2):
        with local_cluster(workers) as cluster:
            address = cluster.scheduler_address
            run_grid(make_spec(4, 2), scheduler=address)  # each worker loads the kernel once
            seconds, _ = best_time(lambda address=address: run_grid(spec, scheduler=address), repeats)
        rows.append((f"`run_grid` on a LocalCluster of {workers} worker(s), warm", seconds, workers))
    started = time.perf_counter()
    run_grid(spec, workers=2)
    rows.append(("`run_grid(workers=2)` from cold (cluster start, kernel load)", time.perf_counter() - started, 2))
    baseline = rows[0][1]
    one_worker = rows[2][1]
    lines = [
        "| runner | time | networks/s | networks/s per core | speed-up vs 1 worker | vs baseline |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for runner, seconds, used in rows:
        rate = nets / seconds
        lines.append(
            f"| {runner} | {format_seconds(seconds)} | {rate:,.0f} | {rate / used:,.0f} | "
            f"{one_worker / seconds:.2f}× | {baseline / seconds:.2f}× |"
        )
    result = TaskResult(
        task="sweep-scaling",
        description=f"{nets:,} XOR networks 2-2-1 ({spec.grid.size} grid points × {spec.per_point}: "
        f"{', '.join(GRID)}), full batch, {spec.training['epochs']:,} epochs each, "
        f"one chunk per point; {cores} cores.",
        table="\n".join(lines),
    )
    result.notes.append(
        "Cores: the one-process rows use the compiled kernel's threads on every core; each Dask worker is one "
        "process with one thread (NUMBA_NUM_THREADS=1), so per core compares like with like."
    )
    result.notes.append(
        "Warm: the cluster is up and each worker has loaded the compiled kernel; the cold row adds starting "
        "the cluster and that load (seconds per worker), which a long sweep pays once."
    )
    if quick:
        result.notes.append("--quick: 100 networks per point, 200 epochs.")
    return result
