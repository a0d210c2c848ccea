"""``run_grid``: a sweep from start (or from where it stopped) to its table of results.

Chunks already kept in the output's parts folder are read, the others trained (in this process,
or on Dask with ``workers``/``scheduler``), each kept the moment it finishes; when every chunk
is in, the output is written atomically and the parts folder removed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from stepgrad.errors import StepgradError
from stepgrad.sweeps.chunks import Chunk
from stepgrad.sweeps.run_chunk import ChunkResult, run_chunk
from stepgrad.sweeps.spec import SweepSpec
from stepgrad.sweeps.store import PartStore, parts_folder
from stepgrad.sweeps.table import Columns, check_output_path, tidy_table, write_table

#: ``progress(networks done, networks in the sweep)``, called after each chunk (and once at the start).
ProgressCallback = Callable[[int, int], None]


def run_grid(
    spec: SweepSpec,
    out: str | Path | None = None,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: ProgressCallback | None = None,
) -> Columns:
    """Train every network of ``spec`` and return the tidy table (``{column: (rows,) array}``).

    With ``out`` (``.parquet`` or ``.csv``) finished chunks are kept in ``out.parts/`` as they come, a
    rerun resumes from them, and the table is written to ``out``. ``workers`` runs a local Dask
    cluster of that many processes, ``scheduler`` (``tcp://host:8786``) uses an existing one;
    neither: this process trains the chunks one after another.
    """
    if workers is not None and scheduler is not None:
        raise StepgradError("give --workers (a local Dask cluster) or --scheduler (an existing one), not both")
    if workers is not None and workers < 1:
        raise StepgradError(f"--workers must be at least 1; got {workers}")
    chunks = spec.chunks()
    store = None
    if out is not None:
        check_output_path(out)
        store = PartStore(parts_folder(out), spec)
    results: dict[int, ChunkResult] = store.done(chunks) if store else {}
    done = sum(chunk.size for chunk in chunks if chunk.index in results)
    if progress:
        progress(done, spec.size)

    def finished(chunk: Chunk, result: ChunkResult) -> None:
        nonlocal done
        if chunk.index in results:  # a chunk run twice (a worker lost after finishing) counts once
            return
        if store:
            store.save(chunk, result)
        results[chunk.index] = result
        done += chunk.size
        if progress:
            progress(done, spec.size)

    todo = [chunk for chunk in chunks if chunk.index not in results]
    if todo and (workers is not None or scheduler is not None):
        from stepgrad.sweeps.dask_run import run_on_dask

        run_on_dask(spec, todo, finished, workers, scheduler)
    else:
        for chunk in todo:
            finished(chunk, run_chunk(spec, chunk))
    table = tidy_table(spec, results)
    if out is not None and store is not None:
        write_table(out, table)
        store.remove()
    return table
