"""Backpropagated gradients against central finite differences and PyTorch autograd."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

from stepgrad.core import check_gradients, train_step
from stepgrad.core.gradcheck import analytic_gradients, numerical_gradients
from stepgrad.network import Layer, Network, classic_setup
from support.strategies import network_problems

KINKED = {"relu", "leaky_relu"}


@given(network_problems())
def test_gradients_match_finite_differences(problem) -> None:
    network, inputs, targets = problem
    check = check_gradients(network, inputs, targets)
    assert check.max_relative_error < 1e-8, check
    if not any(layer.activation in KINKED for layer in network.layers):
        assert check.skipped == ()


def test_finite_differences_are_accurate_to_1e_12_on_the_classic_example() -> None:
    setup = classic_setup()
    numerical = numerical_gradients(setup.network, setup.inputs, setup.targets)
    analytic = analytic_gradients(setup.network, setup.inputs, setup.targets)
    assert numerical.keys() == analytic.keys()
    for name, value in analytic.items():
        assert numerical[name] == pytest.approx(value, rel=1e-12, abs=1e-15), name


def test_parameters_whose_differences_cross_a_relu_kink_are_skipped() -> None:
    # net_h1 = w1·1 + b1 = 0.0005: moving w1 or b1 by ±2e-3 crosses 0; h2 is far from its kink.
    network = Network(
        layers=(
            Layer(weights=[[0.0], [1.0]], bias=[0.0005, 0.5], activation="relu"),
            Layer(weights=[[0.7, -0.4]], bias=[0.1], activation="linear"),
        ),
        loss="half_squared_error",
    )
    check = check_gradients(network, [[1.0]], [[0.3]])
    assert check.skipped == ("w1", "b1")
    assert "w1" not in check.numerical and "w2" in check.numerical and "w3" in check.numerical
    assert check.max_relative_error < 1e-10
    # A smaller step stays on one side of the kink, so w1 is compared too.
    assert check_gradients(network, [[1.0]], [[0.3]], step=1e-4).skipped == ()


@pytest.mark.torch
@given(network_problems())
def test_gradients_match_torch_autograd(problem) -> None:
    torch = pytest.importorskip("torch")
    network, inputs, targets = problem
    ours = analytic_gradients(network, inputs, targets)
    theirs = torch_gradients(torch, network, inputs, targets)
    for name, value in theirs.items():
        scale = max(abs(value), 1e-12)
        assert abs(ours[name] - value) / scale < 1e-8 or abs(ours[name] - value) < 1e-14, name


def torch_gradients(torch, network: Network, inputs: np.ndarray, targets: np.ndarray) -> dict[str, float]:
    """The batch-mean E_total = mean_B Σ_k E_k written directly in PyTorch, differentiated by autograd."""
    functions = {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "leaky_relu": lambda net: torch.nn.functional.leaky_relu(net, 0.01),
        "linear": lambda net: net,
        "softmax": lambda net: torch.softmax(net, dim=-1),
    }
    a = torch.tensor(inputs, dtype=torch.float64)
    t = torch.tensor(targets, dtype=torch.float64)
    parameters = []
    for layer in network.layers:
        w = torch.tensor(layer.weights, dtype=torch.float64, requires_grad=True)
        b = torch.tensor(layer.bias, dtype=torch.float64, requires_grad=True)
        parameters.append((w, b))
        bias = b.expand(layer.n_out) if b.numel() else torch.zeros(layer.n_out, dtype=torch.float64)
        a = functions[layer.activation](a @ w.T + bias)
    terms = {
        "half_squared_error": lambda: 0.5 * (t - a) ** 2,
        "mse": lambda: (t - a) ** 2 / a.shape[-1],
        "binary_cross_entropy": lambda: -(t * torch.log(a) + (1 - t) * torch.log(1 - a)),
        "cross_entropy": lambda: -t * torch.log(a),
        "huber": lambda: torch.nn.functional.huber_loss(a, t, reduction="none", delta=1.0),
    }[network.loss]()
    terms.sum(dim=-1).mean().backward()
    gradients: dict[str, float] = {}
    weight_number = bias_number = 0
    for w, b in parameters:
        for value in w.grad.reshape(-1).tolist():
            weight_number += 1
            gradients[f"w{weight_number}"] = value
        for value in [] if b.grad is None else b.grad.reshape(-1).tolist():
            bias_number += 1
            gradients[f"b{bias_number}"] = value
    return gradients


def test_batch_gradient_is_mean_of_sample_gradients() -> None:
    rng = np.random.default_rng(3)
    from stepgrad.network import Layer

    network = Network(
        layers=(
            Layer(weights=rng.normal(size=(3, 2)), bias=rng.normal(size=3), activation="tanh"),
            Layer(weights=rng.normal(size=(1, 3)), bias=[0.1], activation="sigmoid"),
        ),
        loss="binary_cross_entropy",
    )
    inputs, targets = rng.normal(size=(4, 2)), rng.uniform(size=(4, 1))
    batch = train_step(network, inputs, targets, 0.3)
    singles = [train_step(network, inputs[i], targets[i], 0.3) for i in range(4)]
    mean_grad = np.mean([s.layers[0].grad_w for s in singles], axis=0)
    np.testing.assert_allclose(batch.layers[0].grad_w, mean_grad, rtol=1e-14)
    assert batch.loss == pytest.approx(np.mean([s.loss for s in singles]), rel=1e-14)
