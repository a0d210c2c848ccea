"""``reduction = "sum"``: a batch's loss is the sum of its samples' ``E_total`` (PyTorch's meaning), the mean
stays the default; the trace, finite differences, training and the derivation all follow it."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from stepgrad.core.gradcheck import check_gradients
from stepgrad.core.step import predict_outputs, train_step
from stepgrad.derivations.derivation import explain
from stepgrad.errors import StepgradError
from stepgrad.network import Layer, Network
from stepgrad.render.latex import render_latex
from stepgrad.training import create_network, fit

# activations per layer, loss, bias mode: sigmoid, tanh, relu, softmax + cross-entropy, two hidden layers
CASES = {
    "sigmoid": (["sigmoid", "sigmoid"], "half_squared_error", "shared"),
    "tanh-mse": (["tanh", "linear"], "mse", "per_neuron"),
    "relu-bce": (["relu", "sigmoid"], "binary_cross_entropy", "per_neuron"),
    "softmax-ce": (["tanh", "softmax"], "cross_entropy", "per_neuron"),
    "two-hidden": (["sigmoid", "relu", "linear"], "mse", "per_neuron"),
}
BATCH = 5


def case(name: str, reduction: str = "mean") -> tuple[Network, np.ndarray, np.ndarray]:
    activations, loss, bias = CASES[name]
    rng = np.random.default_rng(len(name))
    sizes = [3, 4, 3, 3][: len(activations) + 1]
    layers = []
    for n_in, n_out, activation in zip(sizes[:-1], sizes[1:], activations, strict=True):
        count = 1 if bias == "shared" else n_out
        layers.append(Layer(rng.normal(0, 0.8, (n_out, n_in)), rng.normal(0, 0.5, count), activation))
    x = rng.normal(0, 1, (BATCH, 3))
    t = np.eye(3)[rng.integers(0, 3, BATCH)] if loss == "cross_entropy" else rng.uniform(0, 1, (BATCH, 3))
    return Network(tuple(layers), loss, reduction), x, t


def summed_loss(network: Network, x: np.ndarray, t: np.ndarray) -> float:
    """PyTorch's ``reduction='sum'``, written out: every element of the loss added."""
    out = predict_outputs(network, x)
    elements = {
        "half_squared_error": lambda: 0.5 * (t - out) ** 2,
        "mse": lambda: (t - out) ** 2,  # MSELoss(reduction="sum"): no division by the outputs either
        "binary_cross_entropy": lambda: -(t * np.log(out) + (1 - t) * np.log(1 - out)),
        "cross_entropy": lambda: -t * np.log(out),
    }[network.loss]()
    return float(np.sum(elements))


@pytest.mark.parametrize("name", list(CASES))
def test_the_sum_is_every_element_added_and_its_gradients_are_its_finite_differences(name: str) -> None:
    network, x, t = case(name, "sum")
    trace = train_step(network, x, t, 0.1)
    assert trace.loss == pytest.approx(summed_loss(network, x, t), rel=1e-12)
    check = check_gradients(network, x, t)
    assert check.max_relative_error < 1e-7, check


@pytest.mark.parametrize("name", list(CASES))
def test_sum_gradients_are_the_batch_times_the_mean_s(name: str) -> None:
    mean_network, x, t = case(name)
    mean, summed = train_step(mean_network, x, t, 0.1), train_step(replace(mean_network, reduction="sum"), x, t, 0.1)
    # mse averages its outputs under "mean" and adds them under "sum" (as MSELoss): one more factor n
    factor = BATCH * (3 if mean_network.loss == "mse" else 1)
    assert summed.loss == pytest.approx(factor * mean.loss, rel=1e-12)
    for layer, ours, theirs in zip(mean_network.layers, summed.layers, mean.layers, strict=True):
        np.testing.assert_allclose(ours.grad_w, factor * theirs.grad_w, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(ours.grad_b, factor * theirs.grad_b, rtol=1e-12, atol=1e-15)
        np.testing.assert_array_equal(ours.weights_new, layer.weights - 0.1 * ours.grad_w)


def test_the_mean_stays_the_default_and_the_same_numbers() -> None:
    network, x, t = case("sigmoid")
    assert network.reduction == "mean"
    trace = train_step(network, x, t, 0.5)
    per_sample = np.sum(0.5 * (t - predict_outputs(network, x)) ** 2, axis=-1)
    assert trace.loss == pytest.approx(float(np.mean(per_sample)), rel=1e-14)
    np.testing.assert_array_equal(trace.layers[0].grad_w, np.mean(trace.layers[0].grad_w_per_sample, axis=0))


def test_a_reduction_other_than_mean_or_sum_is_refused() -> None:
    network, _, _ = case("sigmoid")
    with pytest.raises(StepgradError, match="reduction: reduction must be 'mean' or 'sum', got 'none'"):
        replace(network, reduction="none")


def test_fit_with_a_sum_is_fit_with_the_mean_at_b_times_the_rate() -> None:
    # plain full-batch SGD: w − η·Σ_b g_b = w − (B·η)·mean_b g_b, for the compiled and the NumPy path alike
    network = create_network([2, 3, 1], activation="tanh", loss="half_squared_error", rng=np.random.default_rng(3))
    x = np.random.default_rng(4).normal(0, 1, (6, 2))
    t = np.tanh(x[:, :1] - x[:, 1:])
    mean = fit(network, x, t, learning_rate=0.3, epochs=20, batch_size=None, use_compiled=False)
    summed = fit(replace(network, reduction="sum"), x, t, learning_rate=0.05, epochs=20, batch_size=None)
    assert summed.network.reduction == "sum"
    for ours, theirs in zip(summed.network.layers, mean.network.layers, strict=True):
        np.testing.assert_allclose(ours.weights, theirs.weights, rtol=1e-10, atol=1e-12)
    assert summed.final_loss == pytest.approx(mean.final_loss, rel=1e-9)  # fit's final_loss: the mean E_total


def test_create_network_takes_the_reduction() -> None:
    network = create_network([2, 2, 3], loss="cross_entropy", reduction="sum")
    assert network.reduction == "sum"
    with pytest.raises(StepgradError, match="reduction must be"):
        create_network([2, 2], reduction="total")


def test_the_derivation_shows_the_summed_formula_and_the_batch_sum() -> None:
    network, x, t = case("tanh-mse", "sum")
    trace = train_step(network, x, t, 0.1)
    steps = {step.name: step for step in explain(trace).steps}
    assert steps["E_o1"].formula == "E_o1 = (target_o1 − out_o1)²"
    assert steps["E_o1"].value == pytest.approx((t[0, 0] - trace.layers[-1].out[0, 0]) ** 2, rel=1e-14)
    assert steps["w1+"].formula == "w1+ = w1 − η · ΣdE_total/dw1"
    gradient_sum = float(np.sum(trace.layers[0].grad_w_per_sample[:, 0, 0]))
    assert steps["w1+"].operands["ΣdE_total/dw1"] == pytest.approx(gradient_sum, rel=1e-14)
    assert steps["w1+"].value == pytest.approx(network.layers[0].weights[0, 0] - 0.1 * gradient_sum, rel=1e-14)
    assert any("batch sum of each gradient" in note for note in explain(trace).notes)
    assert r"\sum_{b} \frac{\partial E_{total}}{\partial w_{1}}" in render_latex(explain(trace))
    mean_steps = {step.name: step for step in explain(train_step(replace(network, reduction="mean"), x, t, 0.1)).steps}
    assert mean_steps["E_o1"].formula == "E_o1 = (target_o1 − out_o1)² / 3"
