"""The compiled online-SGD path (``stepgrad.training.compiled``, if present) equals the NumPy path."""

import numpy as np
import pytest

from stepgrad.data import load_dataset
from stepgrad.functions import get_activation, get_loss
from stepgrad.training import create_network, make_training
from stepgrad.training.gradients import Functions
from stepgrad.training.loops import load_compiled


@pytest.mark.parametrize(
    ("activation", "output", "loss", "bias"),
    [
        ("tanh", "sigmoid", "binary_cross_entropy", "per_neuron"),
        ("sigmoid", "sigmoid", "half_squared_error", "shared"),
        ("relu", "linear", "mse", "per_neuron"),
    ],
)
def test_compiled_epochs_equal_numpy_epochs(activation, output, loss, bias) -> None:
    pytest.importorskip("numba")
    pytest.importorskip("stepgrad.training.compiled")
    data = load_dataset("circle", n_samples=40, noise=0.1)
    network = create_network([2, 5, 1], activation, output, loss, bias, rng=np.random.default_rng(4))
    if load_compiled(Functions.of(network)) is None:
        pytest.skip("the compiled kernel does not support this network")
    runs = []
    for use_compiled in (True, False):
        training = make_training(
            network,
            data.inputs,
            data.targets,
            learning_rate=0.1,
            epochs=3,
            batch_size=1,
            seed=5,
            use_compiled=use_compiled,
        )
        assert (training._compiled_kernel() is not None) == use_compiled
        training.run()
        runs.append(training)
    for a, b in zip(runs[0].params.arrays(), runs[1].params.arrays(), strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    assert runs[0].history[-1].loss == pytest.approx(runs[1].history[-1].loss, abs=1e-12)


def test_no_compiled_path_for_other_optimizers_or_batches() -> None:
    data = load_dataset("xor")
    network = create_network([2, 2, 1])
    assert make_training(network, data.inputs, data.targets, optimizer="adam", batch_size=1)._compiled_kernel() is None
    assert make_training(network, data.inputs, data.targets, batch_size=2)._compiled_kernel() is None
    assert make_training(network, data.inputs, data.targets, weight_decay=0.1)._compiled_kernel() is None


def _reference_kernel(weights, biases, activations, train_bias, loss, inputs, targets, order, learning_rate):
    """The ``compiled_api.OnlineSGD`` contract written with the NumPy loop (to test the plumbing)."""
    from stepgrad.training.compiled_api import OnlineSGDResult
    from stepgrad.training.gradients import batch_gradients
    from stepgrad.training.params import Params

    functions = Functions(tuple(get_activation(a) for a in activations), get_loss(loss))
    params = Params(tuple(w.copy() for w in weights), tuple(b.copy() for b in biases))
    losses = []
    for sample in order:
        result = batch_gradients(params, functions, inputs[sample : sample + 1], targets[sample : sample + 1])
        losses.append(float(result.loss))
        params = Params(
            tuple(w - learning_rate * g for w, g in zip(params.weights, result.grads.weights, strict=True)),
            tuple(
                b - learning_rate * g if t else b
                for b, g, t in zip(params.biases, result.grads.biases, train_bias, strict=True)
            ),
        )
    return OnlineSGDResult(list(params.weights), list(params.biases), np.array(losses))


def test_the_loop_hands_epochs_and_classic_steps_to_a_kernel(monkeypatch) -> None:
    from stepgrad.network import classic_setup
    from stepgrad.training import loops

    calls = []

    def kernel(*args):
        calls.append(len(args[7]))
        return _reference_kernel(*args)

    data = load_dataset("gauss", n_samples=12)
    network = create_network([2, 3, 1], "tanh", "sigmoid", "binary_cross_entropy", rng=np.random.default_rng(1))
    plain = make_training(network, data.inputs, data.targets, learning_rate=0.2, epochs=2, seed=3, use_compiled=False)
    plain.run()
    monkeypatch.setattr(loops, "load_compiled", lambda functions: kernel)
    fast = make_training(network, data.inputs, data.targets, learning_rate=0.2, epochs=2, seed=3)
    fast.run()
    assert calls == [12, 12]  # one call per epoch
    for a, b in zip(fast.params.arrays(), plain.params.arrays(), strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-15)
    assert fast.updates == plain.updates == 24
    calls.clear()
    result = loops.repeat_steps(classic_setup(), 2500, every=1000)
    assert calls == [1000, 1000, 500] and result.steps == (0, 1000, 2000, 2500)
    reference = loops.repeat_steps(classic_setup(), 2500, every=1000, use_compiled=False)
    np.testing.assert_allclose(result.outputs, reference.outputs, rtol=0, atol=1e-15)
