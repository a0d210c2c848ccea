"""A tab's own 2-D data: a small CSV file of ``x1, x2, label`` sent by the page, checked by the server.

The bytes are read with a size cap, written to a private temporary file and read by
``stepgrad.data.csv_file.load_csv`` (its rules: a header row, finite numbers, a target column;
the task from the target: 0/1 → two classes, a few whole numbers or text → classes, other numbers
→ regression). The page needs exactly two input columns and between ``MIN_ROWS`` and the
session's ``max_points`` rows. Every mistake is one ``ConfigError`` line naming the line and field.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from stepgrad.errors import StepgradError
from stepgrad.web.config import ConfigError, Limits

Array = NDArray[np.float64]

MAX_UPLOAD_BYTES = 64 * 1024  # 1,000 rows of three numbers take about 25 KB
MIN_ROWS = 4  # enough for a training and a test part


def read_upload(data: bytes, limits: Limits) -> tuple[Array, Array, str]:
    """``(inputs (n, 2), targets (n, n_outputs), what)`` of an uploaded CSV file.

    ``what`` describes it for the page: ``"120 samples, 3 classes"``.

    Raises:
        ConfigError: too large, not a CSV the rules accept, not two input columns, too few or many rows.
    """
    from stepgrad.data.csv_file import load_csv

    if len(data) > MAX_UPLOAD_BYTES:
        raise ConfigError(f"the file is larger than {MAX_UPLOAD_BYTES // 1024} KB", "too_large")
    with tempfile.TemporaryDirectory(prefix="stepgrad-upload-") as folder:
        path = Path(folder) / "upload.csv"
        path.write_bytes(data)
        try:
            dataset = load_csv(path, None)
        except StepgradError as error:  # named by its line, not by the temporary file's path
            raise ConfigError(": ".join(part for part in ("your CSV", error.location, error.message) if part)) from None
    inputs = np.asarray(dataset.inputs, dtype=np.float64)
    targets = np.asarray(dataset.targets, dtype=np.float64).reshape(inputs.shape[0], -1)
    if inputs.shape[1] != 2:
        columns = ", ".join(dataset.feature_names)
        raise ConfigError(f"your CSV: needs exactly 2 input columns and a label, found {inputs.shape[1]} ({columns})")
    if not MIN_ROWS <= inputs.shape[0] <= limits.max_points:
        raise ConfigError(
            f"your CSV: needs {MIN_ROWS} to {limits.max_points} data rows, found {inputs.shape[0]}", "cap"
        )
    classes = len(dataset.class_names) if dataset.class_names else 0
    what = f"{classes} classes" if classes else "regression"
    return inputs, targets, f"{inputs.shape[0]} samples, {what}"
