"""A data set as plain arrays: inputs, targets, and what they mean."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
Task = Literal["classification", "regression"]


@dataclass(frozen=True)
class Dataset:
    """Samples and targets.

    Attributes:
        name: the registry name or the file it came from.
        inputs: ``(n_samples, n_inputs)``.
        targets: ``(n_samples, n_outputs)``: one 0/1 column for two classes, one-hot columns
            for more, the values for regression.
        task: ``classification`` or ``regression``.
        feature_names: one name per input column.
        class_names: the class of each target column (two classes: the class of target 0 and of 1).
        task_reason: how the task was chosen, when it was (a CSV file's target column).
    """

    name: str
    inputs: Array
    targets: Array
    task: Task
    feature_names: tuple[str, ...] = ()
    class_names: tuple[str, ...] = field(default=())
    task_reason: str = ""

    @property
    def n_samples(self) -> int:
        """Number of samples."""
        return int(self.inputs.shape[0])

    @property
    def n_inputs(self) -> int:
        """Number of input features."""
        return int(self.inputs.shape[1])

    @property
    def n_outputs(self) -> int:
        """Number of target columns."""
        return int(self.targets.shape[1])


def one_hot(labels: NDArray[np.int64], n_classes: int) -> Array:
    """``(n, n_classes)`` with a 1 in each row's class column; two classes give one 0/1 column."""
    if n_classes == 2:
        return labels.astype(np.float64).reshape(-1, 1)
    return np.eye(n_classes)[labels]
