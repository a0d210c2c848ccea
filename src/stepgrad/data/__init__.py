"""Data sets by name (``classic``, ``xor``, playground sets, ``iris``, ``digits``) and CSV files."""

from __future__ import annotations

import math
import os
from collections.abc import Callable

from stepgrad.data import bundled, playground
from stepgrad.data.csv_file import TaskChoice, load_csv
from stepgrad.data.dataset import Dataset, one_hot
from stepgrad.errors import StepgradError

DatasetLoader = Callable[..., Dataset]

DATASETS: dict[str, DatasetLoader] = {
    "classic": playground.classic,
    "xor": playground.xor,
    "circle": playground.circle,
    "xor2d": playground.xor2d,
    "gauss": playground.gauss,
    "spiral": playground.spiral,
    "plane": playground.plane,
    "multigauss": playground.multigauss,
    "blobs3": playground.blobs3,
    "iris": bundled.iris,
    "digits": bundled.digits,
}


# The sets drawn at random, all points in the plane: --samples and --noise apply to these only, and
# `stepgrad viz` offers them (stepgrad.web.datasets).
GENERATED = ("circle", "xor2d", "gauss", "spiral", "blobs3", "plane", "multigauss")
# More points than a 2-D playground set needs to show its shape (and than fits a quick run's memory and time).
MAX_GENERATED_SAMPLES = 100_000


def dataset_names() -> list[str]:
    """Every data set name (for CLI help and messages)."""
    return list(DATASETS)


def load_dataset(
    name: str | os.PathLike[str],
    target: str | None = None,
    n_samples: int | None = None,
    noise: float | None = None,
    seed: int = 0,
    task: TaskChoice = "auto",
) -> Dataset:
    """A data set by registry name, or a CSV file (a name ending in ``.csv`` or an existing file).

    Args:
        name: registry name or path.
        target: the CSV's target column (default: its last column).
        n_samples: number of points (1 … ``MAX_GENERATED_SAMPLES``) of a generated set (default: each set's own).
        noise: jitter (≥ 0, about 0 … 1) of a generated set (default 0).
        seed: seed of the generated sets (0 … 2**32 − 1).
        task: for a CSV file: ``classify``, ``regress`` or ``auto`` (see ``stepgrad.data.csv_file``).

    ``n_samples`` and ``noise`` are an error for the fixed sets (classic, xor, iris, digits) and
    CSV files, rather than silently ignored.
    """
    from stepgrad.training.records import check_seed

    text = str(name)
    check_seed(seed)
    if n_samples is not None and (int(n_samples) != n_samples or n_samples < 1):
        raise StepgradError(f"the number of samples must be a whole number of at least 1, got {n_samples}")
    if n_samples is not None and n_samples > MAX_GENERATED_SAMPLES:
        raise StepgradError(
            f"the number of samples of a generated set is at most {MAX_GENERATED_SAMPLES:,}, got {n_samples:,}"
        )
    if noise is not None and not (math.isfinite(noise) and noise >= 0.0):
        raise StepgradError(f"the noise must be a finite number ≥ 0, got {noise}")
    given = [label for label, value in (("samples", n_samples), ("noise", noise)) if value is not None]
    if given and text not in GENERATED:
        kind = "a fixed data set" if text in DATASETS else "read from a file"
        raise StepgradError(
            f"{text} is {kind}: {' and '.join(given)} can only be set for the generated sets ({', '.join(GENERATED)})"
        )
    if text in DATASETS and (task != "auto" or target is not None):
        option = "the task" if task != "auto" else "the target column"
        raise StepgradError(f"{text} is a named data set: {option} can be chosen for CSV files only")
    if text in DATASETS:
        options: dict[str, float] = {"seed": seed}
        if n_samples is not None:
            options["n_samples"] = n_samples
        if noise is not None:
            options["noise"] = noise
        return DATASETS[text](**options)
    if text.lower().endswith(".csv") or os.path.exists(text):
        return load_csv(text, target, task)
    raise StepgradError(f"unknown data set {text!r}; choose one of {', '.join(DATASETS)} or give a .csv file")


__all__ = [
    "DATASETS",
    "GENERATED",
    "MAX_GENERATED_SAMPLES",
    "Dataset",
    "dataset_names",
    "load_csv",
    "load_dataset",
    "one_hot",
]
