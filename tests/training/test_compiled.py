"""The numba kernels of ``stepgrad.training.compiled`` equal the NumPy reference to 1e-12.

The reference is ``stepgrad.core.train_step`` (the traced engine), one sample at a time for
``online_sgd`` and on each mini-batch for ``minibatch_sgd``.
"""

import itertools

import numpy as np
import pytest

from stepgrad.core import train_step
from stepgrad.network import Layer, Network, classic_network

pytest.importorskip("numba")
compiled = pytest.importorskip("stepgrad.training.compiled.epochs")
LANE_MAX_WEIGHTS = pytest.importorskip("stepgrad.training.compiled").LANE_MAX_WEIGHTS

# (hidden activation, output activation, loss, bias mode of every layer, train the bias)
CASES = [
    ("sigmoid", "sigmoid", "half_squared_error", "shared", True),
    ("tanh", "sigmoid", "binary_cross_entropy", "per_neuron", True),
    ("relu", "softmax", "cross_entropy", "per_neuron", True),
    ("leaky_relu", "linear", "mse", "none", True),
    ("sigmoid", "softmax", "cross_entropy", "shared", True),
    ("tanh", "linear", "half_squared_error", "per_neuron", False),
    ("leaky_relu", "sigmoid", "binary_cross_entropy", "shared", True),
    ("relu", "tanh", "mse", "none", False),
]
# Every pair above is one a Network accepts: cross_entropy with softmax, binary_cross_entropy with
# sigmoid, the squared errors with anything but softmax.


def random_network(sizes, hidden, output, loss, bias_mode, train_bias, rng) -> Network:
    layers = []
    for index, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
        count = {"shared": 1, "per_neuron": n_out, "none": 0}[bias_mode]
        activation = output if index == len(sizes) - 2 else hidden
        layers.append(Layer(rng.normal(0, 0.8, (n_out, n_in)), rng.normal(0, 0.5, count), activation, train_bias))
    return Network(tuple(layers), loss)


def targets_for(output: str, loss: str, rng, n: int, n_out: int) -> np.ndarray:
    if loss == "cross_entropy":
        return np.eye(n_out)[rng.integers(0, n_out, n)]
    return rng.uniform(0, 1, (n, n_out))


def kernel_arguments(network: Network, inputs, targets, order, learning_rate):
    return (
        [layer.weights.copy() for layer in network.layers],
        [layer.bias.copy() for layer in network.layers],
        [layer.activation for layer in network.layers],
        [layer.train_bias for layer in network.layers],
        network.loss,
        inputs,
        targets,
        np.asarray(order, dtype=np.int64),
        learning_rate,
    )


@pytest.mark.parametrize(("hidden", "output", "loss", "bias_mode", "train_bias"), CASES)
def test_online_sgd_equals_core_train_step(hidden, output, loss, bias_mode, train_bias) -> None:
    rng = np.random.default_rng(7)
    sizes = [3, 4, 3, 3]
    network = random_network(sizes, hidden, output, loss, bias_mode, train_bias, rng)
    inputs = rng.normal(0, 1, (6, sizes[0]))
    targets = targets_for(output, loss, rng, 6, sizes[-1])
    order = rng.integers(0, 6, 25)
    result = compiled.online_sgd(*kernel_arguments(network, inputs, targets, order, 0.3))

    reference_losses = []
    for s in order:
        trace = train_step(network, inputs[s], targets[s], 0.3)
        reference_losses.append(trace.loss)
        network = trace.network_new
    np.testing.assert_allclose(result.losses, reference_losses, rtol=0, atol=1e-12)
    for layer, w, b in zip(network.layers, result.weights, result.biases, strict=True):
        np.testing.assert_allclose(w, layer.weights, rtol=0, atol=1e-12)
        np.testing.assert_allclose(b, layer.bias, rtol=0, atol=1e-12)


def test_classic_network_ten_thousand_updates_equal_numpy() -> None:
    network = classic_network()
    inputs, targets = np.array([[0.05, 0.10]]), np.array([[0.01, 0.99]])
    result = compiled.online_sgd(*kernel_arguments(network, inputs, targets, np.zeros(10_000), 0.5))
    for _ in range(10_000):
        network = train_step(network, inputs, targets, 0.5).network_new
    for layer, w, b in zip(network.layers, result.weights, result.biases, strict=True):
        np.testing.assert_allclose(w, layer.weights, rtol=0, atol=1e-12)
        np.testing.assert_array_equal(b, layer.bias)  # frozen
    # The classic example's well-known result: the error falls from 0.2984 to about 3.5e-5.
    assert result.losses[0] == pytest.approx(0.298371109, abs=1e-9)
    assert result.losses[-1] == pytest.approx(3.51e-5, rel=1e-2)


def test_online_sgd_leaves_its_arguments_unchanged() -> None:
    network = classic_network()
    arguments = kernel_arguments(network, np.array([[0.05, 0.10]]), np.array([[0.01, 0.99]]), [0, 0, 0], 0.5)
    before = [w.copy() for w in arguments[0]]
    result = compiled.online_sgd(*arguments)
    for original, kept, new in zip(before, arguments[0], result.weights, strict=True):
        np.testing.assert_array_equal(original, kept)
        assert not np.array_equal(original, new)


def test_supports_names_only_what_the_kernel_implements() -> None:
    from stepgrad.training.compiled.codes import supports

    assert supports(["sigmoid", "softmax"], "cross_entropy")
    assert not supports(["sigmoid", "swish"], "mse")
    assert not supports(["sigmoid"], "hinge")
    with pytest.raises(ValueError, match="does not support"):
        compiled.online_sgd(
            [np.ones((1, 1))],
            [np.ones(1)],
            ["swish"],
            [True],
            "mse",
            np.ones((1, 1)),
            np.ones((1, 1)),
            np.zeros(1, dtype=np.int64),
            0.1,
        )


# a network the lane kernel trains at every batch size, and three whose mini-batches run on the BLAS kernel (one
# with two hidden layers: a hidden delta from a hidden layer's; one with no hidden layer: the inputs feed the output)
SIZES = [
    [3, 5, 3],
    [3, LANE_MAX_WEIGHTS // 3 + 1, 3],
    [3, LANE_MAX_WEIGHTS // 3 + 1, 6, 3],
    [LANE_MAX_WEIGHTS // 3 + 1, 3],
]


@pytest.mark.parametrize(("hidden", "output", "loss", "bias_mode", "train_bias"), CASES)
@pytest.mark.parametrize("batch_size", [1, 4])
@pytest.mark.parametrize("sizes", SIZES)
def test_minibatch_sgd_equals_core_train_step_per_batch(hidden, output, loss, bias_mode, train_bias, batch_size, sizes):
    rng = np.random.default_rng(11)
    network = random_network(sizes, hidden, output, loss, bias_mode, train_bias, rng)
    rate = 0.3 * 5 / max(sizes[:-1])  # a wider layer, a smaller step: no blow-up over 20 updates
    assert compiled.lane_sized([layer.weights for layer in network.layers]) == (sizes == SIZES[0])
    inputs = rng.normal(0, 1, (10, sizes[0]))
    targets = targets_for(output, loss, rng, 10, sizes[-1])
    order = np.concatenate([rng.permutation(10), rng.permutation(10)])  # two epochs; batches 4, 4, 4, 4, 4
    result = compiled.minibatch_sgd(*kernel_arguments(network, inputs, targets, order, rate), batch_size)

    reference_losses = []
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        trace = train_step(network, inputs[batch], targets[batch], rate)
        reference_losses.extend(trace.error_total)
        network = trace.network_new
    np.testing.assert_allclose(result.losses, reference_losses, rtol=0, atol=1e-12)
    for layer, w, b in zip(network.layers, result.weights, result.biases, strict=True):
        np.testing.assert_allclose(w, layer.weights, rtol=0, atol=1e-12)
        np.testing.assert_allclose(b, layer.bias, rtol=0, atol=1e-12)


@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize("count", [7, 6])
def test_minibatch_sgd_last_batch_may_be_shorter(sizes, count) -> None:
    rng = np.random.default_rng(3)
    network = random_network(sizes, "tanh", "sigmoid", "binary_cross_entropy", "per_neuron", True, rng)
    inputs, targets = rng.normal(0, 1, (count, sizes[0])), rng.integers(0, 2, (count, sizes[-1])).astype(float)
    order = np.arange(count)
    result = compiled.minibatch_sgd(*kernel_arguments(network, inputs, targets, order, 0.5), 5)
    network = train_step(network, inputs[:5], targets[:5], 0.5).network_new
    network = train_step(network, inputs[5:], targets[5:], 0.5).network_new  # the 2 (or 1) left: their own mean
    np.testing.assert_allclose(result.weights[0], network.layers[0].weights, rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="batch_size"):
        compiled.minibatch_sgd(*kernel_arguments(network, inputs, targets, order, 0.5), 0)
