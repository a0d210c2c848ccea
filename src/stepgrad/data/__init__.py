"""Data sets by name (``classic``, ``xor``, playground sets, ``iris``, ``digits``) and CSV files."""

from __future__ import annotations

import os
from collections.abc import Callable

from stepgrad.data import bundled, playground
from stepgrad.data.csv_file import load_csv
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
    "iris": bundled.iris,
    "digits": bundled.digits,
}


def dataset_names() -> list[str]:
    """Every data set name (for CLI help and messages)."""
    return list(DATASETS)


def load_dataset(
    name: str | os.PathLike[str],
    target: str | None = None,
    n_samples: int | None = None,
    noise: float = 0.0,
    seed: int = 0,
) -> Dataset:
    """A data set by registry name, or a CSV file (a name ending in ``.csv`` or an existing file).

    Args:
        name: registry name or path.
        target: the CSV's target column (default: its last column).
        n_samples: number of points for the generated sets (default: each set's own).
        noise: 0 … 1, jitter of the generated sets.
        seed: seed of the generated sets.
    """
    text = str(name)
    if text in DATASETS:
        options = {"noise": noise, "seed": seed}
        if n_samples is not None:
            options["n_samples"] = n_samples
        return DATASETS[text](**options)
    if text.lower().endswith(".csv") or os.path.exists(text):
        return load_csv(text, target)
    raise StepgradError(f"unknown data set {text!r}; choose one of {', '.join(DATASETS)} or give a .csv file")


__all__ = ["DATASETS", "Dataset", "dataset_names", "load_csv", "load_dataset", "one_hot"]
