"""The repeated step on plain floats (``stepgrad.training.plain_repeat``) gives ``repeat_steps``'s figures."""

import subprocess
import sys

import numpy as np
import pytest

from stepgrad.network import Setup, classic_setup
from stepgrad.training import create_network, plain_sgd
from stepgrad.training.plain_repeat import classic_shape, repeat_classic, repeat_plain
from stepgrad.training.repeat import repeat_steps

NETWORKS = [
    ([2, 2, 2], "sigmoid", "sigmoid", "half_squared_error", "shared"),
    ([3, 4, 2], "tanh", "linear", "mse", "per_neuron"),
    ([2, 5, 1], "relu", "sigmoid", "half_squared_error", "per_neuron"),
    ([2, 3, 3, 2], "leaky_relu", "tanh", "mse", "shared"),
    ([2, 4, 3, 1], "sigmoid", "sigmoid", "half_squared_error", "none"),
]


def _shape_and_values(setup: Setup) -> tuple[plain_sgd.Shape, list[float], list[float]]:
    layers = setup.network.layers
    shape = plain_sgd.Shape.of(
        [layer.weights for layer in layers],
        [layer.bias for layer in layers],
        [layer.activation for layer in layers],
        [layer.trains_bias for layer in layers],
        setup.network.loss,
    )
    weights = [float(v) for layer in layers for v in layer.weights.ravel()]
    return shape, weights, [float(v) for layer in layers for v in layer.bias.ravel()]


def _assert_same_run(plain, reference) -> None:
    assert plain.steps == reference.steps
    np.testing.assert_allclose(plain.errors, reference.errors, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(plain.outputs, reference.outputs[0], rtol=0, atol=1e-12)


@pytest.mark.parametrize(("steps", "every"), [(1, 1), (10_000, 1_000), (777, 100), (250, 7)])
def test_classic_on_floats_equals_repeat_steps(steps: int, every: int) -> None:
    plain = repeat_classic(steps, every)
    assert plain is not None
    reference = repeat_steps(classic_setup(), steps, every=every, use_compiled=False)  # the NumPy path
    _assert_same_run(plain, reference)
    final = [float(v) for layer in reference.network.layers for v in layer.weights.ravel()]
    np.testing.assert_allclose(plain.weights, final, rtol=0, atol=1e-12)
    assert plain.biases == (0.35, 0.60)  # the classic biases are frozen


def test_classic_shape_is_the_classic_network() -> None:
    assert classic_shape() == _shape_and_values(classic_setup())[0]


@pytest.mark.parametrize(("sizes", "activation", "output", "loss", "bias"), NETWORKS)
def test_any_small_network_on_floats_equals_repeat_steps(sizes, activation, output, loss, bias) -> None:
    rng = np.random.default_rng(5)
    network = create_network(sizes, activation, output, loss, bias, rng=rng)
    inputs, targets = rng.normal(size=(1, sizes[0])), rng.random((1, sizes[-1]))
    setup = Setup(network, inputs, targets, learning_rate=0.3)
    shape, weights, biases = _shape_and_values(setup)
    plain = repeat_plain(shape, weights, biases, inputs[0].tolist(), targets[0].tolist(), 0.3, 400, 50)
    assert plain is not None
    _assert_same_run(plain, repeat_steps(setup, 400, every=50, use_compiled=False))  # the NumPy path


def test_an_overflow_hands_the_run_back() -> None:
    # a linear network with η = 50 grows its weights without bound: the plain lines overflow
    network = create_network(
        [2, 2, 1], "linear", "linear", "half_squared_error", "shared", rng=np.random.default_rng(1)
    )
    setup = Setup(network, np.array([[3.0, -2.0]]), np.array([[1.0]]), learning_rate=50.0)
    shape, weights, biases = _shape_and_values(setup)
    run = repeat_plain(shape, weights, biases, [3.0, -2.0], [1.0], 50.0, 10_000, 10)
    assert not run.finished and run.steps[-1] < 10_000
    assert all(np.isfinite([*run.weights, *run.biases, run.error]))  # the last good report's figures
    guarded = repeat_steps(setup, 10_000, every=10)  # repeat_steps takes over from there, one step at a time
    assert guarded.stop_reason.startswith("diverged in step")
    assert run.steps[-1] <= guarded.steps[-1] < run.steps[-1] + 10
    assert guarded.steps[: len(run.steps)] == run.steps
    np.testing.assert_allclose(guarded.errors[: len(run.errors)], run.errors, rtol=1e-12)
    assert guarded.steps[-1] == int(guarded.stop_reason.split()[3].rstrip(":")) - 1
    reference = repeat_steps(setup, 10_000, every=10, use_compiled=False)
    assert reference.steps == guarded.steps and reference.stop_reason == guarded.stop_reason


def test_the_classic_answer_imports_no_numpy() -> None:
    code = (
        "import sys\n"
        "from stepgrad.cli.main import main\n"
        "main(['train'])\n"
        "print(sorted(m for m in ('numpy', 'numba', 'scipy', 'rich') if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stderr.strip() == "[]"
    assert done.stdout.splitlines()[-2] == "After 10000 steps: E_total = 3.5102e-05 (0.0000351018778)"


def test_a_summed_loss_repeats_on_the_arrays_with_its_own_figures() -> None:
    # reduction = "sum" adds mse's outputs (E_o = (t − out)²); the written-out lines compute the mean's: they step aside
    network = create_network(
        [2, 3, 2], "tanh", "linear", "mse", "per_neuron", rng=np.random.default_rng(2), reduction="sum"
    )
    setup = Setup(network, np.array([[0.4, -0.3]]), np.array([[0.2, 0.7]]), learning_rate=0.1)
    fast = repeat_steps(setup, 50, every=10)
    reference = repeat_steps(setup, 50, every=10, use_compiled=False)
    np.testing.assert_allclose(fast.errors, reference.errors, rtol=1e-12, atol=0)
    mean = repeat_steps(
        Setup(
            create_network([2, 3, 2], "tanh", "linear", "mse", "per_neuron", rng=np.random.default_rng(2)),
            setup.inputs,
            setup.targets,
            0.1,
        ),
        50,
        every=10,
    )
    assert fast.errors[0] == pytest.approx(2 * mean.errors[0], rel=1e-12)  # the sum of 2 outputs, not their mean
