"""GELU (exact and tanh), SiLU, ELU and Softplus: a full training step equals PyTorch's, and the
recorder reads them as modules and as functional calls.

The step is worked out independently on each side: stepgrad's ``train_step`` (forward, backward,
update) on a 2-3-2 network, and PyTorch's autograd + ``torch.optim.SGD`` on the same numbers.
"""

import re

import numpy as np
import pytest

from stepgrad.core import train_step
from stepgrad.errors import StepgradError
from stepgrad.network import Layer, Network

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

import torch.nn.functional as F  # noqa: E402, N812

from stepgrad.interop.torch import activation_name, to_torch, verify_torch_step  # noqa: E402
from stepgrad.interop.torch_chain import read_chain  # noqa: E402

NEW = ["gelu", "gelu_tanh", "silu", "elu", "softplus", "softsign"]
MODULES = {
    "gelu": lambda: torch.nn.GELU(),
    "gelu_tanh": lambda: torch.nn.GELU(approximate="tanh"),
    "silu": lambda: torch.nn.SiLU(),
    "elu": lambda: torch.nn.ELU(),
    "softplus": lambda: torch.nn.Softplus(),
    "softsign": lambda: torch.nn.Softsign(),
}
FUNCTIONAL = {
    "gelu": lambda x: F.gelu(x),
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "silu": lambda x: F.silu(x),
    "elu": lambda x: F.elu(x),
    "softplus": lambda x: F.softplus(x),
    "softsign": lambda x: F.softsign(x),
}
INPUTS = np.array([[0.5, -1.2], [-0.3, 0.8], [1.5, 0.1]])
TARGETS = np.array([[0.2, -0.4], [1.0, 0.3], [-0.5, 0.9]])


class MLP(torch.nn.Module):
    """A 2-3-2 model with its own forward: ``fc2(activate(fc1(x)))``, the activation a functional call."""

    def __init__(self, activate) -> None:
        super().__init__()
        self.activate = activate
        self.fc1 = torch.nn.Linear(2, 3, dtype=torch.float64)
        self.fc2 = torch.nn.Linear(3, 2, dtype=torch.float64)

    def forward(self, x):
        return self.fc2(self.activate(self.fc1(x)))


def network_2_3_2(activation: str) -> Network:
    rng = np.random.default_rng(11)
    return Network(
        (
            Layer(rng.normal(0, 1, (3, 2)), rng.normal(0, 0.5, 3), activation),
            Layer(rng.normal(0, 1, (2, 3)), rng.normal(0, 0.5, 2), activation),
        ),
        "mse",
    )


@pytest.mark.parametrize("name", NEW)
def test_a_training_step_equals_pytorch(name: str) -> None:
    network = network_2_3_2(name)
    trace = train_step(network, INPUTS, TARGETS, 0.3)
    model = torch.nn.Sequential(
        torch.nn.Linear(2, 3, dtype=torch.float64),
        MODULES[name](),
        torch.nn.Linear(3, 2, dtype=torch.float64),
        MODULES[name](),
    )
    with torch.no_grad():
        for linear, layer in zip((model[0], model[2]), network.layers, strict=True):
            linear.weight.copy_(torch.from_numpy(layer.weights))
            linear.bias.copy_(torch.from_numpy(layer.bias_vector))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.3)
    loss = torch.nn.MSELoss()(model(torch.from_numpy(INPUTS)), torch.from_numpy(TARGETS))
    loss.backward()
    optimizer.step()
    assert float(loss.detach()) == pytest.approx(trace.loss, rel=1e-13)
    for linear, layer in zip((model[0], model[2]), trace.network_new.layers, strict=True):
        np.testing.assert_allclose(linear.weight.detach().numpy(), layer.weights, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(linear.bias.detach().numpy(), layer.bias_vector, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", NEW)
def test_modules_and_export_round_trip(name: str) -> None:
    assert activation_name(MODULES[name]()) == name
    exported = to_torch(network_2_3_2(name))
    assert activation_name(exported[1]) == name


@pytest.mark.parametrize("name", NEW)
def test_functional_calls_in_a_custom_forward_are_read_and_verified(name: str) -> None:
    torch.manual_seed(3)
    model = MLP(FUNCTIONAL[name])
    chain = read_chain(model)
    assert [layer.activation for layer in chain.layers] == [name, "linear"]
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    report = verify_torch_step(
        model, torch.from_numpy(INPUTS), torch.from_numpy(TARGETS), torch.nn.MSELoss(), optimizer
    )
    assert report.ok, report.to_text()


@pytest.mark.parametrize(
    ("module", "said"),
    [
        (lambda: torch.nn.ELU(alpha=0.5), "ELU(0.5) is not supported"),
        (lambda: torch.nn.Softplus(beta=2.0), "Softplus(2) is not supported"),
    ],
)
def test_other_numbers_are_refused_by_name(module, said) -> None:
    with pytest.raises(StepgradError, match=re.escape(said)):
        activation_name(module())


def test_functional_numbers_other_than_stepgrad_are_refused() -> None:
    class Model(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc1 = torch.nn.Linear(2, 2)

        def forward(self, x):
            return F.elu(self.fc1(x), alpha=0.3)

    with pytest.raises(StepgradError, match=r"elu with alpha 0\.3 is not supported"):
        read_chain(Model())


def test_a_leaky_relu_slope_is_read_from_the_module_and_the_call_and_exported() -> None:
    assert activation_name(torch.nn.LeakyReLU(0.1)) == "leaky_relu(negative_slope=0.1)"
    assert activation_name(torch.nn.LeakyReLU()) == "leaky_relu"
    exported = to_torch(network_2_3_2("leaky_relu(negative_slope=0.2)"))
    assert exported[1].negative_slope == 0.2

    torch.manual_seed(5)
    model = MLP(lambda x: F.leaky_relu(x, 0.2))
    assert read_chain(model).layers[0].activation == "leaky_relu(negative_slope=0.2)"
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    report = verify_torch_step(
        model, torch.from_numpy(INPUTS), torch.from_numpy(TARGETS), torch.nn.MSELoss(), optimizer
    )
    assert report.ok, report.to_text()
