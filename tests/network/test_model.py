"""A Network checks its activations and loss when it is made; a Setup checks its targets."""

from __future__ import annotations

import numpy as np
import pytest

from stepgrad.errors import StepgradError
from stepgrad.network import Layer, Network, Setup


def layers(hidden: str, output: str, n_out: int = 2) -> tuple[Layer, Layer]:
    return Layer(np.full((3, 2), 0.1), [0.0], hidden), Layer(np.full((n_out, 3), 0.2), [0.0], output)


@pytest.mark.parametrize(
    ("hidden", "output", "loss", "n_out", "message"),
    [
        ("tanh", "sigmoid", "cross_entropy", 2, "layer 2: cross_entropy needs a softmax output layer, this one is"),
        ("tanh", "relu", "binary_cross_entropy", 1, "layer 2: binary_cross_entropy needs a sigmoid output layer"),
        ("tanh", "softmax", "mse", 2, 'layer 2: softmax needs loss = "cross_entropy"'),
        ("tanh", "softmax", "cross_entropy", 1, "layer 2: softmax needs at least 2 outputs"),
        ("softmax", "softmax", "cross_entropy", 2, "layer 1: softmax is for the output layer only"),
        ("tanh", "sigmod", "mse", 2, "layer 2: unknown activation 'sigmod'"),
        ("tanh", "sigmoid", "hinge", 2, "unknown loss 'hinge'"),
    ],
)
def test_unsuited_activation_and_loss_are_refused(hidden, output, loss, n_out, message) -> None:
    with pytest.raises(StepgradError) as caught:
        Network(layers(hidden, output, n_out), loss)
    assert caught.value.one_line().startswith(message)


@pytest.mark.parametrize(
    ("output", "loss", "n_out"),
    [
        ("softmax", "cross_entropy", 2),
        ("sigmoid", "binary_cross_entropy", 1),
        ("logistic", "bce", 3),
        ("linear", "mse", 1),
        ("relu", "half_squared_error", 2),
        ("sigmoid", "half_squared_error", 2),
    ],
)
def test_suited_pairs_are_accepted(output, loss, n_out) -> None:
    assert Network(layers("relu", output, n_out), loss).n_outputs == n_out


@pytest.mark.parametrize(
    ("output", "loss", "targets", "message"),
    [
        ("sigmoid", "binary_cross_entropy", [[0.5, 1.5]], "targets must be between 0 and 1, got 1.5"),
        ("sigmoid", "binary_cross_entropy", [[-0.1, 0.5]], "between 0 and 1, got -0.1"),
        ("softmax", "cross_entropy", [[0.2, 0.7]], "must sum to 1 (one probability per output), they sum to 0.9"),
        ("softmax", "cross_entropy", [[1.5, -0.5]], "cross_entropy targets must not be negative, got -0.5"),
        ("softmax", "cross_entropy", [[0.0, 1.0], [0.5, 0.6]], "cross_entropy targets of sample 2 must sum to 1"),
    ],
)
def test_targets_must_suit_the_loss(output, loss, targets, message) -> None:
    network = Network(layers("tanh", output), loss)
    with pytest.raises(StepgradError) as caught:
        Setup(network=network, inputs=np.zeros((len(targets), 2)), targets=targets)
    assert caught.value.one_line().startswith("targets: ")
    assert message in caught.value.one_line()


def test_probability_targets_are_accepted() -> None:
    network = Network(layers("tanh", "softmax", 3), "cross_entropy")
    rng = np.random.default_rng(0)
    targets = rng.dirichlet(np.ones(3), size=5)  # sums to 1 up to rounding
    assert Setup(network=network, inputs=np.zeros((5, 2)), targets=targets).n_samples == 5
