"""The classic worked example: 2 inputs, 2 hidden and 2 output logistic neurons.

One shared, frozen bias per layer, ``E_total = Σ ½(target − out)²``, learning
rate 0.5, one training pair (0.05, 0.10) → (0.01, 0.99).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from stepgrad.network.model import Layer, Network, Setup

CLASSIC_INPUTS = [0.05, 0.10]
CLASSIC_TARGETS = [0.01, 0.99]
CLASSIC_LEARNING_RATE = 0.5


def classic_network() -> Network:
    """The classic example's network: w1..w8 = 0.15 … 0.55, b1 = 0.35, b2 = 0.60, frozen."""
    hidden = Layer(
        weights=np.array([[0.15, 0.20], [0.25, 0.30]]), bias=np.array([0.35]), activation="sigmoid", train_bias=False
    )
    output = Layer(
        weights=np.array([[0.40, 0.45], [0.50, 0.55]]), bias=np.array([0.60]), activation="sigmoid", train_bias=False
    )
    return Network(layers=(hidden, output), loss="half_squared_error")


def classic_setup() -> Setup:
    """The classic network with its one training pair and learning rate 0.5."""
    return Setup(
        network=classic_network(),
        inputs=np.array([CLASSIC_INPUTS]),
        targets=np.array([CLASSIC_TARGETS]),
        learning_rate=CLASSIC_LEARNING_RATE,
        source="classic example",
    )


def is_classic(network: Network, inputs: ArrayLike, targets: ArrayLike, learning_rate: float) -> bool:
    """Whether this is exactly the classic example: its network, its one training pair, η = 0.5."""
    setup = classic_setup()
    return (
        network == setup.network
        and np.array_equal(np.array(inputs, dtype=np.float64, ndmin=2), setup.inputs)
        and np.array_equal(np.array(targets, dtype=np.float64, ndmin=2), setup.targets)
        and learning_rate == setup.learning_rate
    )
