"""The written-out lines (``stepgrad.training.plain_sgd``, as plain Python and compiled by numba in
``compiled.shaped``), run by ``plain_repeat``, equal the general compiled kernel and the NumPy path."""

import dataclasses
import importlib
import importlib.util
import subprocess
import sys

import numpy as np
import pytest

from stepgrad.core.propagation import sgd_step
from stepgrad.functions import ACTIVATIONS, LOSSES
from stepgrad.network import classic_setup
from stepgrad.training import create_network, plain_repeat, plain_sgd, repeat
from stepgrad.training.gradients import Functions, batch_gradients, sample_losses
from stepgrad.training.params import Params, params_of

SHAPES = [
    ([2, 2, 2], "sigmoid", "sigmoid", "half_squared_error", "shared"),
    ([3, 4, 3, 2], "tanh", "linear", "mse", "per_neuron"),
    ([2, 5, 1], "relu", "sigmoid", "half_squared_error", "none"),
    ([2, 3, 1], "leaky_relu", "tanh", "mse", "shared"),
]
# the activations added for PyTorch's models, hidden and at the output, in their written-out forms
NEWER_SHAPES = [
    ([2, 3, 1], "softplus", "sigmoid", "half_squared_error", "per_neuron"),
    ([3, 4, 2], "silu", "linear", "mse", "shared"),
    ([2, 3, 3, 1], "elu", "elu", "half_squared_error", "per_neuron"),
    ([2, 4, 2], "gelu", "gelu", "mse", "per_neuron"),
    ([2, 3, 1], "gelu_tanh", "softplus", "half_squared_error", "none"),
    ([2, 3, 1], "tanh", "silu", "mse", "shared"),
]
RATE = 0.3
# every registry entry with line forms (all the elementwise ones): a new one is tested without a line here
WRITTEN_OUT = [name for name, entry in ACTIVATIONS.items() if entry.line_value is not None]


def _problem(sizes, activation, output, loss, bias):
    """A network, one training pair (the written-out lines train on one) and its shape for the lines."""
    network = create_network(sizes, activation, output, loss, bias, rng=np.random.default_rng(3))
    rng = np.random.default_rng(1)
    inputs, targets = rng.normal(size=(1, sizes[0])), rng.random((1, sizes[-1]))
    return network, inputs, targets


def _shape(network) -> plain_sgd.Shape:
    params, functions = params_of(network), Functions.of(network)
    trains_bias = [layer.trains_bias for layer in network.layers]
    return plain_sgd.Shape.of(params.weights, params.biases, functions.activation_names, trains_bias, network.loss)


def _lines(kernel_module, network, inputs, targets, steps):
    """``steps`` updates on the written-out lines (plain Python, or compiled by numba for the shape), the error
    recorded after every one: ``errors[k]`` is E_total after k updates, the loss the next update starts from."""
    shape = _shape(network)
    args = (inputs[0].tolist(), targets[0].tolist(), RATE)
    if kernel_module == "plain":
        advance = plain_repeat.plain_advance(shape, *args)
    else:
        advance = pytest.importorskip("stepgrad.training.compiled.shaped").advance(shape, *args)
    params = params_of(network)
    weights = [float(v) for w in params.weights for v in w.ravel()]
    biases = [float(v) for b in params.biases for v in b.ravel()]
    run = plain_repeat.repeat_plain(shape, weights, biases, *args, steps, 1, advance=advance)
    assert run.finished and run.steps == tuple(range(steps + 1))
    return run


def _flat(weights, biases) -> np.ndarray:
    return np.concatenate([np.ravel(v) for v in (*weights, *biases)])


def _numpy_reference(network, inputs, targets, steps):
    """One sample's gradients with the original weights, then the update, on the NumPy path: the parameters
    after ``steps`` updates and each update's loss before it (and the loss after the last)."""
    params, functions = params_of(network), Functions.of(network)
    trains_bias = [layer.trains_bias for layer in network.layers]
    losses = []
    for _ in range(steps):
        losses.append(float(sample_losses(params, functions, inputs, targets)[0]))
        grads = batch_gradients(params, functions, inputs, targets).grads
        params = Params(
            tuple(sgd_step(w, g, RATE) for w, g in zip(params.weights, grads.weights, strict=True)),
            tuple(
                sgd_step(b, g, RATE) if train else b
                for b, g, train in zip(params.biases, grads.biases, trains_bias, strict=True)
            ),
        )
    losses.append(float(sample_losses(params, functions, inputs, targets)[0]))
    return params, losses


def _assert_equals_numpy(run, network, inputs, targets, steps) -> None:
    params, losses = _numpy_reference(network, inputs, targets, steps)
    np.testing.assert_allclose(_flat(run.weights, run.biases), _flat(params.weights, params.biases), rtol=0, atol=1e-12)
    np.testing.assert_allclose(run.errors, losses, rtol=0, atol=1e-12)
    assert not np.allclose(run.weights, _flat(params_of(network).weights, []))  # the updates did move the weights


@pytest.mark.parametrize("kernel_module", ["plain", "shaped"])
@pytest.mark.parametrize(("sizes", "activation", "output", "loss", "bias"), SHAPES)
def test_the_written_out_lines_equal_the_numpy_path(kernel_module, sizes, activation, output, loss, bias) -> None:
    network, inputs, targets = _problem(sizes, activation, output, loss, bias)
    _assert_equals_numpy(_lines(kernel_module, network, inputs, targets, 200), network, inputs, targets, 200)


@pytest.mark.parametrize("kernel_module", ["plain", "shaped"])
@pytest.mark.parametrize(("sizes", "activation", "output", "loss", "bias"), SHAPES)
def test_the_written_out_lines_equal_the_general_compiled_kernel(
    kernel_module, sizes, activation, output, loss, bias
) -> None:
    epochs = pytest.importorskip("stepgrad.training.compiled.epochs")
    network, inputs, targets = _problem(sizes, activation, output, loss, bias)
    run = _lines(kernel_module, network, inputs, targets, 200)
    params, functions = params_of(network), Functions.of(network)
    general = epochs.online_sgd(
        [np.ascontiguousarray(w) for w in params.weights],
        [np.ascontiguousarray(b) for b in params.biases],
        functions.activation_names,
        [layer.trains_bias for layer in network.layers],
        network.loss,
        inputs,
        targets,
        np.zeros(200, dtype=np.int64),
        RATE,
    )
    np.testing.assert_allclose(
        _flat(run.weights, run.biases), _flat(general.weights, general.biases), rtol=0, atol=1e-12
    )
    np.testing.assert_allclose(run.errors[:-1], general.losses, rtol=0, atol=1e-12)  # each update's loss before it


@pytest.mark.parametrize("kernel_module", ["plain", "shaped"])
@pytest.mark.parametrize(("sizes", "activation", "output", "loss", "bias"), NEWER_SHAPES)
def test_newer_activations_train_on_the_written_out_lines(kernel_module, sizes, activation, output, loss, bias) -> None:
    network, inputs, targets = _problem(sizes, activation, output, loss, bias)
    inputs = inputs * 3.0  # net inputs on both sides of 0, some far out (ELU's and GELU's branches)
    # 50 updates: the last-bit differences of math's and NumPy's exp grow with each update at this rate
    # (1e-17 after one, 1e-13 after 50, 1e-12 after 100 for GELU), which is the training's doing, not the lines'
    assert plain_sgd.supports([activation, output], loss, params_of(network).weights)
    _assert_equals_numpy(_lines(kernel_module, network, inputs, targets, 50), network, inputs, targets, 50)


def test_every_elementwise_activation_has_line_forms_in_its_entry() -> None:
    for name, entry in ACTIVATIONS.items():
        written = entry.line_value is not None and entry.line_derivative is not None
        # softmax couples a layer's neurons: its forms are the arrays' (and the general kernel's)
        assert written == entry.elementwise, name
        assert (entry.line_value is None) == (entry.line_derivative is None), name
        if written:
            value, derivative = entry.written_out("net1_0", "a1_0")
            assert "{" not in value + derivative, name  # every placeholder and parameter filled in
            assert "net1_0" in value, name


@pytest.mark.parametrize("name", [*WRITTEN_OUT, "leaky_relu(negative_slope=0.2)"])
def test_the_line_forms_compute_the_entrys_value_and_derivative(name) -> None:
    import math

    from stepgrad.functions import get_activation

    entry = get_activation(name)
    value, derivative = entry.written_out("net", "out")
    for net in (-1000.0, -2.5, -0.3, 0.0, 0.4, 3.0, 745.0):  # both sides of 0, and where exp would overflow
        out = eval(value, vars(math), {"net": net})
        assert out == pytest.approx(float(entry.value(np.array(net))), rel=1e-14, abs=1e-300)
        slope = eval(derivative, vars(math), {"net": net, "out": out})
        assert slope == pytest.approx(float(entry.derivative(np.array(net), np.array(out))), rel=1e-14, abs=1e-300)


@pytest.mark.parametrize("name", [name for name, entry in LOSSES.items() if entry.line_term is not None])
def test_a_losss_line_forms_compute_its_terms_and_gradient(name) -> None:
    """The plain lines read a loss's ``E_k`` and ``dE_total/dout_k`` from its entry, as they read an activation's."""
    entry = LOSSES[name]
    assert entry.line_gradient is not None
    target, out = np.array([[0.01, 0.99, -0.4]]), np.array([[0.75, 0.77, 2.5]])
    terms, gradient = entry.terms(target, out)[0], entry.gradient(target, out)[0]
    for k in range(3):
        term, slope = entry.written_out("target", "out", 3)
        values = {"target": float(target[0, k]), "out": float(out[0, k])}
        assert eval(term, {}, values) == pytest.approx(float(terms[k]), rel=1e-15)
        assert eval(slope, {}, values) == pytest.approx(float(gradient[k]), rel=1e-15)


def test_the_losses_the_arrays_alone_train_say_so_in_their_entries() -> None:
    """cross-entropies train on the arrays (their paired forms need the layer's log-sum-exp): no line forms."""
    for name, entry in LOSSES.items():
        assert (entry.line_term is None) == (entry.line_gradient is None), name
        if entry.line_term is None:
            assert not plain_sgd.supports(["sigmoid", "sigmoid"], name, 8), name
        else:
            assert plain_sgd.supports(["sigmoid", "sigmoid"], name, 8), name


@pytest.mark.parametrize("kernel_module", ["plain", "shaped"])
@pytest.mark.parametrize("name", WRITTEN_OUT)
@pytest.mark.parametrize("place", ["hidden", "output"])
def test_every_written_out_activation_trains_on_the_lines_as_on_the_arrays(kernel_module, name, place) -> None:
    hidden, output = (name, "linear") if place == "hidden" else ("tanh", name)
    network, _, targets = _problem([2, 4, 2], hidden, output, "mse", "per_neuron")
    inputs = np.array([[1.5, -1.0]])  # the hidden net inputs on both sides of 0
    _assert_equals_numpy(_lines(kernel_module, network, inputs, targets, 50), network, inputs, targets, 50)


def test_a_configured_slope_trains_on_the_plain_lines_with_its_own_slope() -> None:
    from stepgrad.network import Setup

    def setup_with(activation: str) -> Setup:
        network = create_network([2, 3, 1], "leaky_relu", "linear", "mse", "per_neuron", rng=np.random.default_rng(4))
        hidden = dataclasses.replace(network.layers[0], activation=activation)  # as a network file's layer reads
        network = dataclasses.replace(network, layers=(hidden, *network.layers[1:]))
        return Setup(network, np.array([[-1.5, 0.8]]), np.array([[0.3]]), learning_rate=0.05)

    configured = setup_with("leaky_relu(negative_slope=0.2)")
    params = params_of(configured.network)
    names = Functions.of(configured.network).activation_names
    assert names[0] == "leaky_relu(negative_slope=0.2)"
    assert plain_sgd.supports(names, "mse", params.weights)  # the plain lines take it (before: the NumPy steps)
    shape = plain_sgd.Shape.of(params.weights, params.biases, names, [True, True], "mse")
    assert "else 0.2 * net1_0" in plain_sgd.update_source(shape)
    lines = repeat.repeat_steps(configured, 300, every=5)
    reference = repeat.repeat_steps(configured, 300, every=5, use_compiled=False)
    np.testing.assert_allclose(lines.errors, reference.errors, rtol=1e-12, atol=1e-15)
    for a, b in zip(lines.network.layers, reference.network.layers, strict=True):
        np.testing.assert_allclose(a.weights, b.weights, rtol=0, atol=1e-12)
    default = repeat.repeat_steps(setup_with("leaky_relu"), 300, every=5)
    # the slope is the configured one, not PyTorch's 0.01: the errors part from the first report
    assert abs(default.errors[1] - lines.errors[1]) > 1e-6


def test_classic_repeat_takes_the_plain_loop_and_keeps_every_figure(monkeypatch) -> None:
    setup = classic_setup()
    params, functions = params_of(setup.network), Functions.of(setup.network)
    trains_bias = [layer.trains_bias for layer in setup.network.layers]

    shape = plain_sgd.Shape.of(
        params.weights, params.biases, functions.activation_names, trains_bias, "half_squared_error"
    )

    def lines_for(steps: int) -> tuple[str, bool]:
        advance, compiles = repeat._written_out(setup, shape, params, steps)
        return advance.__module__, compiles

    monkeypatch.delitem(sys.modules, "stepgrad.training.compiled.shaped", raising=False)  # as in a new process
    # plain Python: numba would cost more (and nothing compiles)
    assert lines_for(10_000) == ("stepgrad.training.plain_repeat", False)
    if importlib.util.find_spec("numba") is not None:  # much work, or the process holds the kernel: compiled
        monkeypatch.undo()
        importlib.import_module("stepgrad.training.compiled.shaped")
        assert lines_for(10_000_000)[0] == "stepgrad.training.compiled.shaped"  # compiles only on an empty cache
        repeat.repeat_steps(setup, 10_000_000 // 8 + 1, every=10**9)  # loads the classic shape's kernel
        assert lines_for(10_000) == ("stepgrad.training.compiled.shaped", False)
    result = repeat.repeat_steps(setup, 10_000, every=1000)
    reference = repeat.repeat_steps(setup, 10_000, every=1000, use_compiled=False)
    np.testing.assert_allclose(result.errors, reference.errors, rtol=0, atol=1e-12)
    assert result.error == pytest.approx(3.510187782978859e-05, abs=1e-15)


def test_large_work_goes_to_numba_and_unsupported_functions_are_refused() -> None:
    setup = classic_setup()
    params = params_of(setup.network)
    assert plain_sgd.worth_compiling(params.weights, 10_000_000)
    assert not plain_sgd.supports(["sigmoid", "softmax"], "cross_entropy", params.weights)
    wide = params_of(create_network([100, 100, 1]))
    assert not plain_sgd.supports(["tanh", "sigmoid"], "half_squared_error", wide.weights)


def test_train_classic_imports_neither_numba_nor_scipy() -> None:
    code = (
        "import sys\nfrom stepgrad.cli.main import main\nmain(['train', '--no-progress'])\n"
        "heavy = sorted(m for m in ('numba', 'scipy', 'sklearn', 'torch', 'matplotlib') if m in sys.modules)\n"
        "print('HEAVY', heavy)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in done.stdout


def test_repeat_steps_stops_at_the_first_step_that_overflows_and_keeps_the_finite_weights() -> None:
    import numpy as np

    from stepgrad.network import Layer, Network, Setup
    from stepgrad.training.repeat import repeat_steps

    hidden = Layer([[0.15, 0.20], [0.25, 0.30]], [0.35], "sigmoid")
    output = Layer([[0.40, 0.45], [0.50, 0.55]], [0.60], "linear")
    setup = Setup(Network((hidden, output), "half_squared_error"), [[0.05, 0.10]], [[0.01, 0.99]], 1e150)
    for use_compiled in (True, False):
        result = repeat_steps(setup, 40, every=10, use_compiled=use_compiled)
        assert result.stop_reason.startswith("diverged in step"), result.stop_reason
        assert all(np.all(np.isfinite(layer.weights)) for layer in result.network.layers)
        kept = int(result.stop_reason.split("kept the weights of step ")[1].split(" ")[0])
        assert kept < 10  # the last finite weights, before the first report
        assert result.steps[-1] == kept and np.isfinite(result.error)  # the summary names the step kept
