"""Any CSV file with a header row: numeric feature columns and one target column.

The target column decides the task: numbers that are all 0 or 1 → two classes (one 0/1
column); any text → classes (sorted; one-hot for more than two); other numbers → regression.
Every other column must hold numbers. Mistakes name the file and line.
"""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path

import numpy as np

from stepgrad.data.dataset import Dataset, one_hot
from stepgrad.errors import StepgradError


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value


def load_csv(path: str | os.PathLike[str], target: str | None) -> Dataset:
    """Read ``path``; ``target`` names the target column (default: the last column)."""
    source = str(path)
    file = Path(path)
    if not file.is_file():
        raise StepgradError("no such file", source)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise StepgradError(f"cannot read the file: {error}", source) from error
    rows = list(csv.reader(text.splitlines()))
    numbered = [(line, row) for line, row in enumerate(rows, start=1) if any(cell.strip() for cell in row)]
    if not numbered:
        raise StepgradError("the file is empty; a CSV needs a header row and data rows", source)
    header_line, header = numbered[0]
    header = [name.strip() for name in header]
    if all(_number(name) is not None for name in header):
        raise StepgradError(
            "the first row holds numbers; a header row with column names is required", source, f"line {header_line}"
        )
    if len(set(header)) != len(header):
        raise StepgradError("the header repeats a column name", source, f"line {header_line}")
    if len(header) < 2:
        raise StepgradError("a CSV needs at least one input column and a target column", source, f"line {header_line}")
    target_name = target if target is not None else header[-1]
    if target_name not in header:
        raise StepgradError(
            f"no column {target_name!r}; the columns are {', '.join(header)}", source, f"line {header_line}"
        )
    column = header.index(target_name)
    data = numbered[1:]
    if not data:
        raise StepgradError("the file has a header but no data rows", source)
    features: list[list[float]] = []
    labels: list[str] = []
    for line, row in data:
        if len(row) != len(header):
            raise StepgradError(
                f"expected {len(header)} fields as in the header, found {len(row)}", source, f"line {line}"
            )
        values: list[float] = []
        for index, cell in enumerate(row):
            if index == column:
                labels.append(cell.strip())
                continue
            value = _number(cell.strip())
            if value is None or not math.isfinite(value):
                raise StepgradError(
                    f"column {header[index]!r}: {cell.strip()!r} is not a finite number", source, f"line {line}"
                )
            values.append(value)
        features.append(values)
    inputs = np.array(features, dtype=np.float64)
    names = tuple(name for index, name in enumerate(header) if index != column)
    numbers = [_number(label) for label in labels]
    if all(n is not None and math.isfinite(n) for n in numbers):
        values_array = np.array(numbers, dtype=np.float64)
        if set(np.unique(values_array)) <= {0.0, 1.0}:
            return Dataset(file.name, inputs, values_array.reshape(-1, 1), "classification", names, ("0", "1"))
        return Dataset(file.name, inputs, values_array.reshape(-1, 1), "regression", names)
    classes = sorted(set(labels))
    if len(classes) < 2:
        raise StepgradError(f"the target column {target_name!r} has only one class", source)
    index_of = {name: i for i, name in enumerate(classes)}
    encoded = one_hot(np.array([index_of[label] for label in labels], dtype=np.int64), len(classes))
    return Dataset(file.name, inputs, encoded, "classification", names, tuple(classes))
