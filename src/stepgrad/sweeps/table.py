"""The tidy results: one row per network, written as Parquet (pyarrow) or CSV.

Columns: ``point``, the grid's axes (``lr``, ``init_scale``, ``activation`` …), ``seed_index``,
``seed``, ``loss``, ``accuracy`` (empty for regression), ``converged``, ``diverged``, ``epochs``.
Rows are ordered by point then seed index, whatever order the chunks finished in.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from stepgrad.errors import StepgradError
from stepgrad.network.atomic import write_atomic
from stepgrad.sweeps.run_chunk import ChunkResult
from stepgrad.sweeps.spec import SweepSpec

Columns = dict[str, NDArray[Any]]
FORMATS = (".parquet", ".csv")


def tidy_table(spec: SweepSpec, results: dict[int, ChunkResult]) -> Columns:
    """The rows of every chunk in ``results`` (by chunk index), in chunk order, with the grid values."""
    chunks = [chunk for chunk in spec.chunks() if chunk.index in results]
    columns: dict[str, list[NDArray[Any]]] = {"point": []}
    columns.update({axis.kind.column: [] for axis in spec.grid.axes})
    for chunk in chunks:
        columns["point"].append(np.full(chunk.size, chunk.point, dtype=np.int64))
        for axis, value in zip(spec.grid.axes, spec.grid.point(chunk.point).values(), strict=True):
            columns[axis.kind.column].append(np.full(chunk.size, value))
        for name, column in results[chunk.index].items():
            columns.setdefault(name, []).append(column)
    return {name: np.concatenate(parts) if parts else np.array([]) for name, parts in columns.items()}


def check_output_path(path: str | Path) -> None:
    """``--out`` must end in .parquet or .csv, in a folder that exists; Parquet needs pyarrow."""
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise StepgradError("--out must end in .parquet or .csv", str(path))
    if not path.parent.resolve().is_dir():
        raise StepgradError("the folder does not exist", str(path))
    if path.suffix.lower() == ".parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise StepgradError(
                "writing Parquet needs pyarrow: pip install 'stepgrad[sweep]' (or write .csv)", str(path)
            ) from None


def parquet_bytes(columns: Columns) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({name: pa.array(column) for name, column in columns.items()})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def csv_text(columns: Columns) -> str:
    """CSV with a header; floats written so they read back exactly (``repr``), NaN as an empty field."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    cells = [[csv_cell(value) for value in column.tolist()] for column in columns.values()]
    writer.writerows(zip(*cells, strict=True))
    return buffer.getvalue()


def csv_cell(value: object) -> str:
    if isinstance(value, float) and value != value:
        return ""
    return str(value)


def write_table(path: str | Path, columns: Columns) -> None:
    """Write the rows to ``path`` atomically (the old file or the whole new one, never part of it)."""
    if Path(path).suffix.lower() == ".parquet":
        write_atomic(path, parquet_bytes(columns))
    else:
        write_atomic(path, csv_text(columns))
