"""Leaky ReLU's slope set per layer (``negative_slope = 0.1`` in a network file): value, slope,
formulas, file round trip, training (NumPy path for slopes other than the kernels' 0.01)."""

from __future__ import annotations

import numpy as np
import pytest

from stepgrad.core import train_step
from stepgrad.errors import StepgradError
from stepgrad.functions import get_activation
from stepgrad.network.files import network_to_dict, parse_setup
from stepgrad.training.compiled import codes
from stepgrad.training.repeat import repeat_steps


def document(**numbers: object) -> dict:
    return {
        "inputs": [0.05, 0.1],
        "targets": [0.01, 0.99],
        "learning_rate": 0.5,
        "loss": "half_squared_error",
        "layer": [
            {"activation": "leaky_relu", "weights": [[-0.15, 0.2], [0.25, -0.9]], "bias": 0.05, **numbers},
            {"activation": "sigmoid", "weights": [[0.4, 0.45], [0.5, 0.55]], "bias": 0.6},
        ],
    }


def test_the_slope_is_the_layers() -> None:
    entry = get_activation("leaky_relu(negative_slope=0.2)")
    net = np.array([-2.0, 3.0])
    np.testing.assert_array_equal(entry.value(net), [-0.4, 3.0])
    np.testing.assert_array_equal(entry.derivative(net, entry.value(net)), [0.2, 1.0])
    assert entry.formula == "out = net if net > 0 else 0.2·net"
    assert entry.torch_arguments == {"negative_slope": 0.2}
    assert get_activation("leaky_relu(negative_slope=0.01)").name == "leaky_relu"  # the default is the plain name
    assert get_activation(entry.name).name == entry.name
    for unknown in ("leaky_relu(slope=0.2)", "sigmoid(negative_slope=0.2)", "leaky_relu(negative_slope=x)"):
        with pytest.raises(KeyError):
            get_activation(unknown)


def test_a_network_file_sets_it_and_writes_it_back() -> None:
    setup = parse_setup(document(negative_slope=0.1))
    assert setup.network.layers[0].activation == "leaky_relu(negative_slope=0.1)"
    written = network_to_dict(setup.network)["layer"][0]
    assert (written["activation"], written["negative_slope"]) == ("leaky_relu", 0.1)
    assert parse_setup(document()).network.layers[0].activation == "leaky_relu"


@pytest.mark.parametrize(
    ("numbers", "said"),
    [({"negative_slope": "steep"}, "negative_slope must be a finite number"), ({"negative_slope": True}, "finite")],
)
def test_a_wrong_slope_names_the_field(numbers, said) -> None:
    with pytest.raises(StepgradError, match=said):
        parse_setup(document(**numbers))


def test_a_slope_on_another_activation_names_the_field() -> None:
    wrong = document()
    wrong["layer"][1]["negative_slope"] = 0.1
    with pytest.raises(StepgradError, match="negative_slope is not a number of sigmoid"):
        parse_setup(wrong)


def test_training_uses_the_slope() -> None:
    setup = parse_setup(document(negative_slope=0.2))
    assert not codes.supports([layer.activation for layer in setup.network.layers], "half_squared_error")
    network = setup.network
    for _ in range(30):
        network = train_step(network, setup.inputs, setup.targets, setup.learning_rate).network_new
    trained = repeat_steps(setup, 30).network
    for ours, expected in zip(trained.layers, network.layers, strict=True):
        np.testing.assert_allclose(ours.weights, expected.weights, rtol=1e-12)
    default = repeat_steps(parse_setup(document()), 30).network
    assert not np.allclose(default.layers[0].weights, trained.layers[0].weights, rtol=1e-6)
