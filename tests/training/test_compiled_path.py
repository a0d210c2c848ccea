"""``fit`` hands plain-SGD epochs to the compiled kernels and gets what the NumPy path gets (1e-12)."""

import numpy as np
import pytest

from stepgrad.data import load_dataset
from stepgrad.functions import get_activation, get_loss
from stepgrad.training import create_network, fit, make_training
from stepgrad.training.compiled import load_compiled
from stepgrad.training.gradients import Functions


def _kernel_available(network) -> bool:
    functions = Functions.of(network)
    return load_compiled([a.name for a in functions.activations], functions.loss.name) is not None


@pytest.mark.parametrize(
    ("activation", "output", "loss", "bias", "batch_size"),
    [
        ("tanh", "sigmoid", "binary_cross_entropy", "per_neuron", 1),
        ("sigmoid", "sigmoid", "half_squared_error", "shared", 1),
        ("relu", "linear", "mse", "per_neuron", 1),
        ("tanh", "sigmoid", "binary_cross_entropy", "per_neuron", 7),
        ("relu", "linear", "mse", "shared", 16),
        ("leaky_relu", "sigmoid", "half_squared_error", "none", None),
    ],
)
def test_compiled_epochs_equal_numpy_epochs(activation, output, loss, bias, batch_size) -> None:
    pytest.importorskip("numba")
    data = load_dataset("circle", n_samples=40, noise=0.1)
    network = create_network([2, 5, 1], activation, output, loss, bias, rng=np.random.default_rng(4))
    assert _kernel_available(network)
    runs = []
    for use_compiled in (True, False):
        training = make_training(
            network,
            data.inputs,
            data.targets,
            learning_rate=0.1,
            epochs=3,
            batch_size=batch_size,
            seed=5,
            use_compiled=use_compiled,
        )
        assert (training._compiled_kernel() is not None) == use_compiled
        training.run()
        runs.append(training)
    compiled, numpy_path = runs
    for a, b in zip(compiled.params.arrays(), numpy_path.params.arrays(), strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    assert compiled.updates == numpy_path.updates
    for fast, slow in zip(compiled.history, numpy_path.history, strict=True):
        assert fast.loss == pytest.approx(slow.loss, abs=1e-12)
        assert fast.accuracy == slow.accuracy


@pytest.mark.parametrize(
    ("sizes", "samples", "batch_size", "rate"),
    [([12, 16, 4], 90, 32, 0.1), ([100, 120, 3], 300, 64, 0.05)],  # digits-like; a wide layer of 12,000 weights
    ids=["small", "wide"],
)
def test_softmax_networks_through_fit_agree_on_both_paths(sizes, samples, batch_size, rate) -> None:
    pytest.importorskip("numba")
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (samples, sizes[0]))
    labels = rng.integers(0, sizes[-1], samples)
    network = create_network(sizes, "relu", loss="cross_entropy", rng=np.random.default_rng(1))
    fast = fit(network, x, labels, learning_rate=rate, epochs=4, batch_size=batch_size, seed=2)
    slow = fit(network, x, labels, learning_rate=rate, epochs=4, batch_size=batch_size, seed=2, use_compiled=False)
    assert fast.training._compiled_kernel() is not None
    for a, b in zip(fast.network.layers, slow.network.layers, strict=True):
        np.testing.assert_allclose(a.weights, b.weights, rtol=0, atol=1e-12)
        np.testing.assert_allclose(a.bias, b.bias, rtol=0, atol=1e-12)
    np.testing.assert_allclose(fast.history.loss, slow.history.loss, rtol=0, atol=1e-12)
    assert fast.history.accuracy == slow.history.accuracy


def test_no_compiled_path_for_other_optimizers_weight_decay_or_ensembles() -> None:
    data = load_dataset("xor")
    network = create_network([2, 2, 1])
    assert make_training(network, data.inputs, data.targets, optimizer="adam", batch_size=1)._compiled_kernel() is None
    assert make_training(network, data.inputs, data.targets, weight_decay=0.1)._compiled_kernel() is None
    assert make_training([network, network], data.inputs, data.targets)._compiled_kernel() is None
    assert make_training(network, data.inputs, data.targets, use_compiled=False)._compiled_kernel() is None


def _reference_kernel(
    weights, biases, activations, train_bias, loss, inputs, targets, order, learning_rate, batch_size=1
):
    """The ``compiled.OnlineSGD`` contract written with the NumPy loop (to test the plumbing)."""
    from stepgrad.training.compiled import OnlineSGDResult
    from stepgrad.training.gradients import batch_gradients
    from stepgrad.training.metrics import correct
    from stepgrad.training.params import Params

    functions = Functions(tuple(get_activation(a) for a in activations), get_loss(loss))
    params = Params(tuple(w.copy() for w in weights), tuple(b.copy() for b in biases))
    losses, hits = [], []
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        result = batch_gradients(params, functions, inputs[batch], targets[batch])
        losses.extend(result.losses.tolist())
        hits.extend(correct(result.output, targets[batch]).astype(float).tolist())
        params = Params(
            tuple(w - learning_rate * g for w, g in zip(params.weights, result.grads.weights, strict=True)),
            tuple(
                b - learning_rate * g if t else b
                for b, g, t in zip(params.biases, result.grads.biases, train_bias, strict=True)
            ),
        )
    return OnlineSGDResult(list(params.weights), list(params.biases), np.array(losses), np.array(hits))


@pytest.mark.parametrize("batch_size", [1, 5])
def test_the_loop_hands_whole_epochs_to_a_kernel(monkeypatch, batch_size) -> None:
    from stepgrad.training import loops

    calls = []

    def load(activations, loss, batch):
        def kernel(*args):
            calls.append((len(args[7]), batch))
            return _reference_kernel(*args, batch_size=batch)

        return kernel

    data = load_dataset("gauss", n_samples=12)
    network = create_network([2, 3, 1], "tanh", "sigmoid", "binary_cross_entropy", rng=np.random.default_rng(1))
    options = dict(learning_rate=0.2, epochs=2, seed=3, batch_size=batch_size)
    plain = make_training(network, data.inputs, data.targets, use_compiled=False, **options)
    plain.run()
    monkeypatch.setattr(loops, "load_compiled", load)
    fast = make_training(network, data.inputs, data.targets, **options)
    fast.run()
    # one call per epoch, after a call with no update: ``prepare`` loads (or compiles) the kernel before training
    assert calls == [(0, batch_size), (12, batch_size), (12, batch_size)]
    for a, b in zip(fast.params.arrays(), plain.params.arrays(), strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-15)
    assert fast.updates == plain.updates == 2 * -(-12 // batch_size)


def test_classic_steps_are_handed_to_the_kernel_between_reports(monkeypatch) -> None:
    from stepgrad.network import classic_setup
    from stepgrad.training import repeat
    from stepgrad.training.plain_repeat import classic_shape, plain_advance

    calls = []
    lines = plain_advance(classic_shape(), [0.05, 0.10], [0.01, 0.99], 0.5)

    def advance(count, w, b):
        calls.append(count)
        lines(count, w, b)

    monkeypatch.setattr(repeat, "_written_out", lambda *args: (advance, False))
    result = repeat.repeat_steps(classic_setup(), 2500, every=1000)
    assert calls == [1000, 1000, 500] and result.steps == (0, 1000, 2000, 2500)
    reference = repeat.repeat_steps(classic_setup(), 2500, every=1000, use_compiled=False)
    np.testing.assert_allclose(result.outputs, reference.outputs, rtol=0, atol=1e-15)


def test_every_kernel_is_cached_on_disk() -> None:
    # cache=True must hold for each kernel (a ctypes pointer or a closure would silently prevent it,
    # and every new process would compile again for seconds)
    pytest.importorskip("numba")
    from stepgrad.training import fit_ensemble
    from stepgrad.training.compiled import ensemble, epochs

    data = load_dataset("xor")
    from stepgrad.training.compiled import LANE_MAX_WEIGHTS

    for batch_size in (1, 2):
        fit(create_network([2, 2, 1]), data.inputs, data.targets, epochs=1, batch_size=batch_size)
    # a network with more weights than the lanes take: its mini-batches run on the BLAS kernel
    fit(create_network([2, LANE_MAX_WEIGHTS, 1]), data.inputs, data.targets, epochs=1, batch_size=2)
    fit_ensemble([2, 2, 1], data.inputs, data.targets, seeds=2, epochs=1, batch_size=None)
    from stepgrad.network import classic_setup
    from stepgrad.training import plain_sgd, repeat_steps
    from stepgrad.training.compiled import shaped

    repeat_steps(classic_setup(), plain_sgd.PLAIN_WORK_LIMIT, every=10**9)  # the classic shape's own kernel
    classic = plain_sgd.Shape((2, 2, 2), (1, 1), ("sigmoid", "sigmoid"), (False, False), "half_squared_error")
    shaped_kernel = shaped.kernel_for(classic)
    for kernel in (epochs._lane_kernel, epochs._minibatch_kernel, ensemble._ensemble_kernel, shaped_kernel):
        assert kernel.signatures
        for signature in kernel.signatures:
            assert kernel._cache.load_overload(signature, kernel.targetctx) is not None, kernel


def test_numba_is_imported_only_when_a_compiled_path_trains() -> None:
    pytest.importorskip("numba")
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from stepgrad.data import load_dataset\n"
        "from stepgrad.training import create_network, fit, fit_ensemble\n"
        "data = load_dataset('xor')\n"
        "fit(create_network([2, 2, 1]), data.inputs, data.targets, optimizer='adam', epochs=2)\n"
        "fit_ensemble([2, 2, 1], data.inputs, data.targets, seeds=2, optimizer='momentum', epochs=2)\n"
        "print('numba' in sys.modules)\n"
        "fit(create_network([2, 2, 1]), data.inputs, data.targets, epochs=2)\n"
        "print('numba' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "True"]
