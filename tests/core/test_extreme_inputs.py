"""Net inputs of ±1000 give finite values and no NumPy warnings (RuntimeWarning is an error here)."""

import numpy as np
import pytest

from stepgrad.core import train_step
from stepgrad.functions import ACTIVATIONS, LOSSES
from stepgrad.network import Layer, Network

EXTREME = np.array([[-1000.0, 1000.0], [1000.0, -1000.0], [0.0, 745.0]])


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_values_and_derivatives_are_finite(name: str) -> None:
    activation = ACTIVATIONS[name]
    # Underflow to 0 is the right answer; overflow, 0/0 and division by zero are not.
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = activation.value(EXTREME)
        derivative = activation.derivative(EXTREME, out)
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(derivative))


def test_sigmoid_saturates_exactly() -> None:
    out = ACTIVATIONS["sigmoid"].value(np.array([-1000.0, 0.0, 1000.0]))
    assert out.tolist() == [0.0, 0.5, 1.0]


def test_softmax_of_huge_inputs() -> None:
    out = ACTIVATIONS["softmax"].value(np.array([[1000.0, 999.0, -1000.0]]))
    assert out[0] == pytest.approx([1 / (1 + np.exp(-1)), np.exp(-1) / (1 + np.exp(-1)), 0.0])


@pytest.mark.parametrize(
    ("activation", "loss"),
    [
        ("sigmoid", "binary_cross_entropy"),
        ("softmax", "cross_entropy"),
        ("sigmoid", "half_squared_error"),
        ("tanh", "mse"),
        ("relu", "mse"),
        ("linear", "half_squared_error"),
        # every loss of the registry, with the output it pairs with (a loss added there is tested too)
        *[(entry.paired_output or "linear", name) for name, entry in LOSSES.items()],
    ],
)
def test_training_step_on_saturated_network_is_finite(activation: str, loss: str) -> None:
    network = Network(
        layers=(
            Layer(weights=[[1000.0, -1000.0], [-1000.0, 1000.0]], bias=[0.0], activation="tanh"),
            Layer(weights=[[1000.0, -1000.0], [-500.0, 1000.0]], bias=[0.0, 0.0], activation=activation),
        ),
        loss=loss,
    )
    targets = [[1.0, 0.0], [0.0, 1.0]]
    trace = train_step(network, [[1.0, 0.0], [0.0, 1.0]], targets, 0.1)
    assert np.isfinite(trace.loss) and np.isfinite(trace.loss_new)
    for layer in trace.layers:
        assert np.all(np.isfinite(layer.delta)) and np.all(np.isfinite(layer.weights_new))


def test_paired_cross_entropy_error_is_exact_when_saturated() -> None:
    # out_o1 rounds to 0 in float64, yet E = −ln(softmax) = 2000 exactly by log-sum-exp.
    network = Network(layers=(Layer(weights=[[1.0], [-1.0]], bias=[], activation="softmax"),), loss="cross_entropy")
    trace = train_step(network, [[1000.0]], [[0.0, 1.0]], 0.1)
    assert trace.error_total[0] == pytest.approx(2000.0)


def test_weights_beyond_float64_overflow_to_inf_without_warnings() -> None:
    # 1e160 · 1e10 · 2 = 2e170 fits; 1e160 · 2e170 does not: net_o1 is +∞, recorded, not warned about.
    network = Network([Layer([[1e160, 1e160]], [0.0], "relu"), Layer([[1e160]], [], "linear")], loss="mse")
    trace = train_step(network, [[1e10, 1e10]], [[0.0]], 0.1)
    values = trace.values()
    assert values["net_h1"] == pytest.approx(2e170)
    assert values["net_o1"] == np.inf and values["E_total"] == np.inf
