"""``iris`` and ``digits`` from scikit-learn's bundled files (the optional ``sklearn`` extra).

scikit-learn is imported only here, only when one of these sets is asked for.
iris: 150 × 4 features standardised to mean 0 and variance 1, 3 one-hot classes.
digits: 1797 × 64 pixels scaled from 0 … 16 to ``[0, 1]``, 10 one-hot classes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from stepgrad.data.dataset import Dataset, one_hot
from stepgrad.errors import StepgradError


def _sklearn_datasets() -> Any:
    try:
        from sklearn import datasets
    except ImportError as error:
        raise StepgradError("the iris and digits data need scikit-learn: pip install 'stepgrad[sklearn]'") from error
    return datasets


def iris(n_samples: int = 150, noise: float = 0.0, seed: int = 0) -> Dataset:
    """Fisher's iris flowers: 4 measurements → 3 species."""
    bunch = _sklearn_datasets().load_iris()
    features = np.asarray(bunch.data, dtype=np.float64)
    features = (features - features.mean(axis=0)) / features.std(axis=0)
    labels = np.asarray(bunch.target, dtype=np.int64)
    return Dataset(
        "iris", features, one_hot(labels, 3), "classification", tuple(bunch.feature_names), tuple(bunch.target_names)
    )


def digits(n_samples: int = 1797, noise: float = 0.0, seed: int = 0) -> Dataset:
    """8×8 images of handwritten digits: 64 pixels in ``[0, 1]`` → 10 classes."""
    bunch = _sklearn_datasets().load_digits()
    pixels = np.asarray(bunch.data, dtype=np.float64) / 16.0
    labels = np.asarray(bunch.target, dtype=np.int64)
    names = tuple(f"pixel_{i}" for i in range(pixels.shape[1]))
    return Dataset("digits", pixels, one_hot(labels, 10), "classification", names, tuple(str(d) for d in range(10)))
