"""Small 2-D data sets as in the interactive neural-network playgrounds, seeded.

Points lie in about ``[−1, 1]²``. ``noise`` (0 … 1) jitters the points by up to
``noise`` × the set's scale. Classification sets have one 0/1 target column.
"""

from __future__ import annotations

import numpy as np

from stepgrad.data.dataset import Dataset, one_hot
from stepgrad.network.classic import CLASSIC_INPUTS, CLASSIC_TARGETS

FEATURES = ("x1", "x2")


def classic(n_samples: int = 1, noise: float = 0.0, seed: int = 0) -> Dataset:
    """The classic example's one training pair (0.05, 0.10) → (0.01, 0.99)."""
    return Dataset("classic", np.array([CLASSIC_INPUTS]), np.array([CLASSIC_TARGETS]), "regression", FEATURES)


def xor(n_samples: int = 4, noise: float = 0.0, seed: int = 0) -> Dataset:
    """The four XOR points: (0,0)→0, (0,1)→1, (1,0)→1, (1,1)→0."""
    inputs = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    targets = np.array([[0.0], [1.0], [1.0], [0.0]])
    return Dataset("xor", inputs, targets, "classification", FEATURES, ("0", "1"))


def circle(n_samples: int = 200, noise: float = 0.0, seed: int = 0) -> Dataset:
    """Class 1 inside radius 0.5, class 0 in the ring 0.7 … 1.0; half of each."""
    rng = np.random.default_rng(seed)
    half = n_samples // 2
    radius = np.concatenate([rng.uniform(0.0, 0.5, half), rng.uniform(0.7, 1.0, n_samples - half)])
    angle = rng.uniform(0.0, 2.0 * np.pi, n_samples)
    points = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    points = points + noise * rng.uniform(-1.0, 1.0, points.shape)
    # The label comes from the position before the noise, as in the playground.
    labels = (radius < 0.6).astype(np.float64)
    return Dataset("circle", points, labels.reshape(-1, 1), "classification", FEATURES, ("outside", "inside"))


def xor2d(n_samples: int = 200, noise: float = 0.0, seed: int = 0) -> Dataset:
    """Uniform points kept 0.05 away from the axes; class 1 when ``x1·x2 > 0``."""
    rng = np.random.default_rng(seed)
    points = rng.uniform(-1.0, 1.0, (n_samples, 2))
    points = points + np.where(points >= 0.0, 0.05, -0.05)  # a margin around the axes
    labels = (points[:, 0] * points[:, 1] > 0.0).astype(np.float64)
    points = points + noise * rng.uniform(-1.0, 1.0, points.shape)
    return Dataset("xor2d", points, labels.reshape(-1, 1), "classification", FEATURES, ("0", "1"))


def gauss(n_samples: int = 200, noise: float = 0.0, seed: int = 0) -> Dataset:
    """Two Gaussian blobs at (0.4, 0.4) (class 1) and (−0.4, −0.4) (class 0), spread 0.1 + 0.4·noise."""
    rng = np.random.default_rng(seed)
    half = n_samples // 2
    spread = 0.1 + 0.4 * noise
    positive = rng.normal(0.4, spread, (half, 2))
    negative = rng.normal(-0.4, spread, (n_samples - half, 2))
    points = np.concatenate([positive, negative])
    labels = np.concatenate([np.ones(half), np.zeros(n_samples - half)])
    return Dataset("gauss", points, labels.reshape(-1, 1), "classification", FEATURES, ("0", "1"))


def spiral(n_samples: int = 200, noise: float = 0.0, seed: int = 0) -> Dataset:
    """Two interleaved spirals (1.75 turns), one per class."""
    rng = np.random.default_rng(seed)
    half = n_samples // 2
    parts, labels = [], []
    for label, count, phase in ((1.0, half, 0.0), (0.0, n_samples - half, np.pi)):
        t = np.arange(count) / max(count, 1)
        radius = t
        angle = 1.75 * t * 2.0 * np.pi + phase
        arm = np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1)
        parts.append(arm + noise * rng.uniform(-1.0, 1.0, arm.shape) * 0.2)
        labels.append(np.full(count, label))
    return Dataset(
        "spiral", np.concatenate(parts), np.concatenate(labels).reshape(-1, 1), "classification", FEATURES, ("0", "1")
    )


def plane(n_samples: int = 200, noise: float = 0.0, seed: int = 0) -> Dataset:
    """Regression on a tilted plane: ``target = (x1 + x2) / 2`` in ``[−1, 1]``."""
    rng = np.random.default_rng(seed)
    points = rng.uniform(-1.0, 1.0, (n_samples, 2))
    targets = (points[:, 0] + points[:, 1]) / 2.0
    points = points + noise * rng.uniform(-1.0, 1.0, points.shape)
    return Dataset("plane", points, targets.reshape(-1, 1), "regression", FEATURES)


_CENTRES = np.array(
    [[-0.8, 0.8], [0.0, 0.8], [0.8, 0.8], [-0.8, 0.0], [0.0, 0.0], [0.8, 0.0], [-0.8, -0.8], [0.0, -0.8], [0.8, -0.8]]
)
_SIGNS = np.array([-1.0, 1.0, -1.0, 1.0, -1.0, 1.0, -1.0, 1.0, -1.0])


def multigauss(n_samples: int = 200, noise: float = 0.0, seed: int = 0) -> Dataset:
    """Regression on bumps: ``target = Σ_c sign_c · exp(−|x − c|² / (2·0.2²))``, clipped to ``[−1, 1]``."""
    rng = np.random.default_rng(seed)
    points = rng.uniform(-1.0, 1.0, (n_samples, 2))
    distance2 = np.sum((points[:, None, :] - _CENTRES[None, :, :]) ** 2, axis=-1)  # (n, 9)
    targets = np.clip(np.exp(-distance2 / (2.0 * 0.2**2)) @ _SIGNS, -1.0, 1.0)
    points = points + noise * rng.uniform(-1.0, 1.0, points.shape)
    return Dataset("multigauss", points, targets.reshape(-1, 1), "regression", FEATURES)


_BLOB_ANGLES = np.pi / 2.0 + 2.0 * np.pi * np.arange(3) / 3.0  # three blobs 120° apart, the first at the top


def blobs3(n_samples: int = 200, noise: float = 0.0, seed: int = 0) -> Dataset:
    """Three Gaussian blobs, one class each, centred 0.55 from the origin at 90°, 210° and 330°,
    spread 0.12 + 0.3·noise; one-hot targets ``(n, 3)``."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n_samples) % 3
    centres = 0.55 * np.stack([np.cos(_BLOB_ANGLES), np.sin(_BLOB_ANGLES)], axis=1)  # (3, 2)
    points = centres[labels] + rng.normal(0.0, 0.12 + 0.3 * noise, (n_samples, 2))
    return Dataset("blobs3", points, one_hot(labels, 3), "classification", FEATURES, ("0", "1", "2"))
