"""Any CSV file with a header row: numeric feature columns and one target column.

The task (``task="auto"``) follows from the target column:

* numbers that are all 0 or 1 → two classes (one 0/1 target column);
* whole numbers with 2 … 10 distinct values → classes (``0,1,2`` are three classes);
* any text → classes (sorted; one-hot for more than two);
* other numbers → regression.

``task="classify"`` makes every distinct value a class; ``task="regress"`` needs numbers.
Every other column must hold finite numbers, and every target cell a value (finite when it is a
number). Mistakes name the file and line. ``Dataset.task_reason`` says how the task was chosen.
"""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path
from typing import Literal, get_args

import numpy as np

from stepgrad.data.dataset import Dataset, one_hot
from stepgrad.errors import StepgradError
from stepgrad.limits import MAX_CSV_BYTES, decode_utf8, read_bounded

TaskChoice = Literal["auto", "classify", "regress"]
TASKS: tuple[TaskChoice, ...] = get_args(TaskChoice)
MAX_INTEGER_CLASSES = 10
# Larger values overflow float64 while the scaling is fitted (a mean of 1e308s); no real data set needs them.
MAX_MAGNITUDE = 1e100


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value


def _read_rows(source: str, file: Path) -> list[tuple[int, list[str]]]:
    """The non-blank rows with their line numbers."""
    if not file.is_file():
        raise StepgradError("no such file", source)
    text = decode_utf8(read_bounded(file, MAX_CSV_BYTES, "a CSV data file"), source)
    try:
        rows = list(csv.reader(text.splitlines()))
    except csv.Error as error:
        raise StepgradError(f"not a valid CSV file: {error}", source) from error
    return [(line, row) for line, row in enumerate(rows, start=1) if any(cell.strip() for cell in row)]


def load_csv(path: str | os.PathLike[str], target: str | None, task: TaskChoice = "auto") -> Dataset:
    """Read ``path``; ``target`` names the target column (default: the last column)."""
    source = str(path)
    file = Path(path)
    if task not in TASKS:
        raise StepgradError(f"unknown task {task!r}; choose {', '.join(TASKS[:-1])} or {TASKS[-1]}")
    numbered = _read_rows(source, file)
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
    lines: list[int] = []
    for line, row in data:
        if len(row) != len(header):
            raise StepgradError(
                f"expected {len(header)} fields as in the header, found {len(row)}", source, f"line {line}"
            )
        values: list[float] = []
        for index, cell in enumerate(row):
            if index == column:
                label = cell.strip()
                if not label:
                    raise StepgradError(f"the target column {target_name!r} is empty", source, f"line {line}")
                labels.append(label)
                continue
            value = _number(cell.strip())
            if value is None or not math.isfinite(value):
                raise StepgradError(
                    f"column {header[index]!r}: {cell.strip()[:40]!r} is not a finite number", source, f"line {line}"
                )
            if abs(value) > MAX_MAGNITUDE:
                raise StepgradError(
                    f"column {header[index]!r}: {cell.strip()[:40]} is beyond the limit of ±{MAX_MAGNITUDE:g} "
                    "for data values",
                    source,
                    f"line {line}",
                )
            values.append(value)
        features.append(values)
        lines.append(line)
    inputs = np.array(features, dtype=np.float64)
    names = tuple(name for index, name in enumerate(header) if index != column)
    numbers = [_number(label) for label in labels]
    numeric = all(n is not None for n in numbers)
    if numeric:
        for line, label, value in zip(lines, labels, numbers, strict=True):
            if value is not None and not (math.isfinite(value) and abs(value) <= MAX_MAGNITUDE):
                raise StepgradError(
                    f"the target column {target_name!r}: {label[:40]!r} is not a finite number up to "
                    f"±{MAX_MAGNITUDE:g}",
                    source,
                    f"line {line}",
                )
    if task == "regress" and not numeric:
        line, label = next((li, la) for li, la, n in zip(lines, labels, numbers, strict=True) if n is None)
        message = f"--task regress needs numbers in the target column {target_name!r}, found {label[:40]!r}"
        raise StepgradError(message, source, f"line {line}")
    if numeric:
        values_array = np.array(numbers, dtype=np.float64)
        distinct = np.unique(values_array)
        whole = bool(np.all(distinct == np.round(distinct)))
        if task == "regress":
            return Dataset(
                file.name, inputs, values_array.reshape(-1, 1), "regression", names, task_reason="--task regress"
            )
        if task == "auto" and set(distinct) <= {0.0, 1.0} and distinct.size == 2:
            return Dataset(
                file.name,
                inputs,
                values_array.reshape(-1, 1),
                "classification",
                names,
                ("0", "1"),
                task_reason="auto: the target is 0/1",
            )
        if task == "auto" and not (whole and 2 <= distinct.size <= MAX_INTEGER_CLASSES):
            reason = f"auto: {distinct.size} distinct numbers in the target; --task classify to change"
            return Dataset(file.name, inputs, values_array.reshape(-1, 1), "regression", names, task_reason=reason)
        reason = (
            "--task classify"
            if task == "classify"
            else f"auto: whole numbers with {distinct.size} distinct values; --task regress to change"
        )
        classes = [f"{value:g}" for value in distinct]
        codes = np.searchsorted(distinct, values_array)
        return _classes(file.name, inputs, names, codes, classes, target_name, source, reason)
    classes = sorted(set(labels))
    index_of = {name: i for i, name in enumerate(classes)}
    codes = np.array([index_of[label] for label in labels], dtype=np.int64)
    reason = "--task classify" if task == "classify" else "auto: the target holds text"
    return _classes(file.name, inputs, names, codes, classes, target_name, source, reason)


def _classes(
    name: str,
    inputs: np.ndarray,
    feature_names: tuple[str, ...],
    codes: np.ndarray,
    classes: list[str],
    target_name: str,
    source: str,
    reason: str,
) -> Dataset:
    if len(classes) < 2:
        raise StepgradError(f"the target column {target_name!r} has only one class", source)
    encoded = one_hot(np.asarray(codes, dtype=np.int64), len(classes))
    return Dataset(name, inputs, encoded, "classification", feature_names, tuple(classes), task_reason=reason)
