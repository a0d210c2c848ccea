"""An ensemble member equals the same network trained alone, to the last bit.

The compiled ensemble kernel and a small network's compiled epoch share one arithmetic (``compiled.lanes``:
the same pass per sample, the same gradient sum, the same step), so ``np.array_equal`` holds, not just 1e-12;
and a sweep's rows do not depend on how its networks are cut into chunks, a chunk of one included.
"""

import numpy as np
import pytest

from stepgrad.data import load_dataset
from stepgrad.sweeps import run_grid
from stepgrad.training import fit, fit_ensemble, seeded_network
from support.sweeps import xor_spec

pytest.importorskip("numba")

CASES = [
    # sizes, activation, output, loss, bias, batch size (None: full batch)
    ([2, 3, 1], "sigmoid", "sigmoid", "half_squared_error", "per_neuron", 4),
    ([2, 3, 1], "sigmoid", "sigmoid", "half_squared_error", "shared", None),
    ([2, 4, 1], "tanh", "sigmoid", "binary_cross_entropy", "per_neuron", None),
    ([2, 4, 1], "relu", "linear", "mse", "shared", 5),
    ([4, 5, 3], "tanh", "softmax", "cross_entropy", "per_neuron", 6),
    ([4, 5, 3], "relu", "softmax", "cross_entropy", "shared", None),
    ([2, 3, 3, 1], "tanh", "sigmoid", "half_squared_error", "per_neuron", 3),  # two hidden layers
    ([2, 3, 3, 1], "sigmoid", "sigmoid", "half_squared_error", "shared", 1),
]


def _data(sizes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    if sizes[-1] == 3:
        iris = load_dataset("iris")
        return iris.inputs[::6], iris.targets[::6]
    circle = load_dataset("circle", n_samples=22, noise=0.2, seed=1)
    return circle.inputs, circle.targets


@pytest.mark.parametrize(("sizes", "activation", "output", "loss", "bias", "batch_size"), CASES)
def test_every_member_equals_the_network_trained_alone_bitwise(sizes, activation, output, loss, bias, batch_size):
    inputs, targets = _data(sizes)
    seeds, rates = [11, 12, 13], [0.4, 0.1, 0.7]
    options = {"epochs": 15, "batch_size": batch_size}
    ensemble = fit_ensemble(
        sizes,
        inputs,
        targets,
        seeds=seeds,
        learning_rates=rates,
        activation=activation,
        output_activation=output,
        loss=loss,
        bias=bias,
        **options,
    )
    assert ensemble.training._ensemble_kernel() is not None  # the compiled ensemble, not the NumPy one
    for index, (seed, rate) in enumerate(zip(seeds, rates, strict=True)):
        network = seeded_network(sizes, seed, activation, output, loss, bias)
        alone = fit(network, inputs, targets, learning_rate=rate, seed=seed, **options)
        assert alone.training._compiled_kernel() is not None
        for a, b in zip(ensemble.network(index).layers, alone.network.layers, strict=True):
            assert np.array_equal(a.weights, b.weights)
            assert np.array_equal(a.bias, b.bias)
        member_losses = [log.loss[index] for log in ensemble.training.history]
        assert np.array_equal(member_losses, alone.history.loss)


def test_sweep_rows_are_identical_for_chunks_of_one_two_and_three():
    grid = ["lr=0.5,4", "activation=sigmoid,tanh"]
    whole = run_grid(xor_spec(grid, per_point=5, epochs=200))
    for chunk_size in (1, 2, 3):
        cut = run_grid(xor_spec(grid, per_point=5, epochs=200, chunk_size=chunk_size))
        for name, column in whole.items():
            assert np.array_equal(cut[name], column), (chunk_size, name)
    assert whole["loss"].std() > 0  # the networks differ: equal rows are not all the same row
