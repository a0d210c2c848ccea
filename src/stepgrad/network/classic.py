"""The classic worked example: 2 inputs, 2 hidden and 2 output logistic neurons.

One shared, frozen bias per layer, ``E_total = Σ ½(target − out)²``, learning
rate 0.5, one training pair (0.05, 0.10) → (0.01, 0.99).

The numbers are plain Python here, so ``stepgrad train`` can answer for the example without
NumPy (``stepgrad.training.plain_repeat``); ``classic_network`` builds the array model from them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from stepgrad.network.model import Network, Setup

CLASSIC_INPUTS = [0.05, 0.10]
CLASSIC_TARGETS = [0.01, 0.99]
CLASSIC_LEARNING_RATE = 0.5
# w1 … w8 as weights[layer][neuron][input]; one bias per layer (b1, b2), frozen
CLASSIC_WEIGHTS = [[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]]]
CLASSIC_BIASES = [0.35, 0.60]
CLASSIC_ACTIVATION = "sigmoid"
CLASSIC_LOSS = "half_squared_error"
CLASSIC_SOURCE = "classic example"


def classic_network() -> Network:
    """The classic example's network: w1..w8 = 0.15 … 0.55, b1 = 0.35, b2 = 0.60, frozen."""
    import numpy as np

    from stepgrad.network.model import Layer, Network

    layers = tuple(
        Layer(weights=np.array(w), bias=np.array([b]), activation=CLASSIC_ACTIVATION, train_bias=False)
        for w, b in zip(CLASSIC_WEIGHTS, CLASSIC_BIASES, strict=True)
    )
    return Network(layers=layers, loss=CLASSIC_LOSS)


def classic_setup() -> Setup:
    """The classic network with its one training pair and learning rate 0.5."""
    import numpy as np

    from stepgrad.network.model import Setup

    return Setup(
        network=classic_network(),
        inputs=np.array([CLASSIC_INPUTS]),
        targets=np.array([CLASSIC_TARGETS]),
        learning_rate=CLASSIC_LEARNING_RATE,
        source=CLASSIC_SOURCE,
    )


def is_classic(network: Network, inputs: ArrayLike, targets: ArrayLike, learning_rate: float) -> bool:
    """Whether this is exactly the classic example: its network, its one training pair, η = 0.5."""
    import numpy as np

    setup = classic_setup()
    return (
        network == setup.network
        and np.array_equal(np.array(inputs, dtype=np.float64, ndmin=2), setup.inputs)
        and np.array_equal(np.array(targets, dtype=np.float64, ndmin=2), setup.targets)
        and learning_rate == setup.learning_rate
    )
